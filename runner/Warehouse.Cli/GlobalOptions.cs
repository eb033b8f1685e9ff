using System.CommandLine;
using Warehouse.Core.Database;

namespace Warehouse.Cli;

/// <summary>Options every command accepts, and what they resolve to.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Database = new("--database")
    {
        Description = $"PostgreSQL URL (postgresql://user@host:port/db); default ${DatabaseLocator.UrlVariable}, else the embedded cluster",
        Recursive = true,
    };

    public static readonly Option<string?> Migrations = new("--migrations")
    {
        Description = "Migrations folder (default: migrations/ of the project)",
        Recursive = true,
    };

    public static readonly Option<string> Target = new("--target")
    {
        Description = "Database dialect: postgres or redshift",
        DefaultValueFactory = _ => "postgres",
        Recursive = true,
    };

    static GlobalOptions()
    {
        Target.AcceptOnlyFromAmong("postgres", "redshift");
    }

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Database);
        root.Options.Add(Migrations);
        root.Options.Add(Target);
    }

    /// <summary>The project folder: set by the ./warehouse script, else the current directory.</summary>
    public static string ProjectRoot =>
        Environment.GetEnvironmentVariable("WAREHOUSE_ROOT") is { Length: > 0 } root ? root : Directory.GetCurrentDirectory();

    /// <summary>Where run and replay keep their converted files between runs.</summary>
    public static string WorkDirectory => Path.Combine(DatabaseLocator.Home(ProjectRoot), "work");

    public static string MigrationsDirectory(ParseResult result) =>
        Path.GetFullPath(result.GetValue(Migrations) ?? Path.Combine(ProjectRoot, "migrations"));

    /// <summary>Connection string for the chosen database, starting the embedded cluster when none was named.</summary>
    /// <param name="embeddedDatabase">The embedded cluster's database when none was named (the sample has its own).</param>
    public static string ConnectionString(ParseResult result, string embeddedDatabase = EmbeddedPostgres.DatabaseName) =>
        DatabaseLocator.Resolve(result.GetValue(Database), ProjectRoot, Console.Error, embeddedDatabase);
}
