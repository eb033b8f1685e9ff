using System.CommandLine;
using Warehouse.Core;
using Warehouse.Core.Database;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse db start|stop|status|url</c>: the embedded PostgreSQL cluster.</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var db = new Command("db", "Manage the embedded PostgreSQL cluster (.warehouse/pg)");

        var start = new Command("start", "Create (on first use) and start the embedded cluster");
        start.SetAction(_ =>
        {
            // The URL carries the generated password: `db url` prints it whole, for psql; here it is masked.
            Console.WriteLine(ConnectionUrl.Redact(Embedded().Start(Console.Error)));
            return ExitCodes.Ok;
        });

        var stop = new Command("stop", "Stop the embedded cluster");
        stop.SetAction(_ =>
        {
            Console.WriteLine(Embedded().Stop() ? "stopped" : "not running");
            return ExitCodes.Ok;
        });

        var status = new Command("status", "Say whether the embedded cluster exists and runs");
        status.SetAction(result =>
        {
            if (DatabaseLocator.ExplicitUrl(result.GetValue(GlobalOptions.Database)) is { } url)
            {
                Console.WriteLine($"using an external database: {ConnectionUrl.Redact(url)}");
                return ExitCodes.Ok;
            }
            var embedded = Embedded();
            Console.WriteLine(embedded.RunningAddress() is { } running ? $"running: {running}"
                : embedded.Exists ? $"stopped ({embedded.Root})" : "not created yet (./warehouse db start creates it)");
            return ExitCodes.Ok;
        });

        var url = new Command("url", "Print the database URL with its password (psql accepts it); starts the embedded cluster when needed");
        url.SetAction(result =>
        {
            Console.WriteLine(DatabaseLocator.ExplicitUrl(result.GetValue(GlobalOptions.Database)) ?? Embedded().Start(Console.Error));
            return ExitCodes.Ok;
        });

        db.Subcommands.Add(start);
        db.Subcommands.Add(stop);
        db.Subcommands.Add(status);
        db.Subcommands.Add(url);
        return db;
    }

    private static EmbeddedPostgres Embedded() => DatabaseLocator.Embedded(GlobalOptions.ProjectRoot);
}
