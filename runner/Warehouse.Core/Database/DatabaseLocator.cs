namespace Warehouse.Core.Database;

/// <summary>
/// Decides which database a command talks to: <c>--database URL</c>, else <c>WAREHOUSE_DATABASE_URL</c>, else the
/// embedded cluster under the project's <c>.warehouse/pg</c> (started on demand).
/// </summary>
public static class DatabaseLocator
{
    public const string UrlVariable = "WAREHOUSE_DATABASE_URL";

    /// <summary>The URL given by option or environment, or null when the embedded cluster is meant.</summary>
    public static string? ExplicitUrl(string? option) =>
        option is { Length: > 0 } ? option
        : Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : null;

    /// <summary>
    /// The project's private state folder (cluster, converted files): <c>.warehouse/</c>, or <c>WAREHOUSE_HOME</c>,
    /// which moves it for checkouts the postgres user cannot reach (e.g. under /root).
    /// </summary>
    public static string Home(string projectRoot) =>
        Environment.GetEnvironmentVariable("WAREHOUSE_HOME") is { Length: > 0 } configured ? configured : Path.Combine(projectRoot, ".warehouse");

    public static EmbeddedPostgres Embedded(string projectRoot) => new(Path.Combine(Home(projectRoot), "pg"));

    /// <summary>Returns a connection string, starting the embedded cluster when no URL was given.</summary>
    /// <param name="embeddedDatabase">The embedded cluster's database to use when no URL was given.</param>
    public static string Resolve(string? option, string projectRoot, TextWriter? log = null,
        string embeddedDatabase = EmbeddedPostgres.DatabaseName)
    {
        var url = ExplicitUrl(option) ?? Embedded(projectRoot).Start(log, embeddedDatabase);
        return ConnectionUrl.ToConnectionString(url);
    }
}
