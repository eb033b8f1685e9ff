using System.CommandLine;
using Warehouse.Core.Database;
using Warehouse.Core.Migrations;

namespace Warehouse.Cli;

/// <summary>Builds the migration runner from the global options.</summary>
internal static class Migrations
{
    public static MigrationRunner Runner(ParseResult result, bool allowChanged = false) =>
        new(GlobalOptions.ConnectionString(result), Options(result, allowChanged));

    /// <summary>
    /// Redshift with no database named: there is nothing to connect to (the embedded cluster is PostgreSQL, not Redshift),
    /// so a dry run shows every script as pending instead of starting it.
    /// </summary>
    public static bool IsOffline(ParseResult result) =>
        result.GetValue(GlobalOptions.Target) == "redshift" && DatabaseLocator.ExplicitUrl(result.GetValue(GlobalOptions.Database)) is null;

    /// <summary>The dialect's <c>${variables}</c> are added by the runner itself (<see cref="Warehouse.Core.Portability.Dialect"/>).</summary>
    public static MigrationOptions Options(ParseResult result, bool allowChanged = false) => new()
    {
        Directory = GlobalOptions.MigrationsDirectory(result),
        Target = result.GetValue(GlobalOptions.Target) ?? "postgres",
        AllowChanged = allowChanged,
    };
}
