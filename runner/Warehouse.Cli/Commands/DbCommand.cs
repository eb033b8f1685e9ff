using System.CommandLine;
using Warehouse.Api;
using Warehouse.Core;
using Warehouse.Core.Database;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse db start|stop|status|url|reset</c>: the embedded PostgreSQL cluster, and emptying a database.</summary>
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

        var sample = new Option<bool>("--sample")
        {
            Description = $"The embedded cluster's {EmbeddedPostgres.SampleDatabaseName} database, where a plain ./warehouse run puts the bundled sample",
        };
        var readOnly = new Option<bool>("--read-only")
        {
            Description = $"The read-only login ({ApiRole.Name}) for analysts and BI tools: marts and the documented core views, nothing else",
        };
        var url = new Command("url", "Print the database URL with its password (psql accepts it); starts the embedded cluster when needed")
        {
            sample, readOnly,
        };
        url.SetAction(async (result, ct) =>
        {
            var explicitUrl = DatabaseLocator.ExplicitUrl(result.GetValue(GlobalOptions.Database));
            var ownerUrl = explicitUrl
                ?? Embedded().Start(Console.Error, result.GetValue(sample) ? EmbeddedPostgres.SampleDatabaseName : EmbeddedPostgres.DatabaseName);
            Console.WriteLine(result.GetValue(readOnly) ? await ReadOnlyUrlAsync(ownerUrl, embedded: explicitUrl is null, ct) : ownerUrl);
            return ExitCodes.Ok;
        });

        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (needed without a terminal)" };
        var reset = new Command("reset", $"Drop the warehouse's schemas ({string.Join(", ", DatabaseReset.Schemas)}: data and migration history) of the database, so the next run starts anew")
        {
            yes, sample,
        };
        reset.SetAction(async (result, ct) =>
        {
            var connectionString = GlobalOptions.ConnectionString(result,
                result.GetValue(sample) ? EmbeddedPostgres.SampleDatabaseName : EmbeddedPostgres.DatabaseName);
            var where = ConnectionUrl.Describe(connectionString);
            if (!result.GetValue(yes))
            {
                if (Console.IsInputRedirected)
                {
                    throw new WarehouseException($"db reset would empty {where} and there is no terminal to confirm on: add --yes");
                }
                Console.Write($"empty {where} (drop schemas {string.Join(", ", DatabaseReset.Schemas)})? [y/N] ");
                if (Console.ReadLine()?.Trim().ToLowerInvariant() is not ("y" or "yes"))
                {
                    throw new WarehouseException($"not confirmed: {where} is unchanged");
                }
            }
            await DatabaseReset.ResetAsync(connectionString, ct);
            Console.WriteLine($"reset {where}: the next run migrates and loads anew");
            return ExitCodes.Ok;
        });

        db.Subcommands.Add(start);
        db.Subcommands.Add(stop);
        db.Subcommands.Add(status);
        db.Subcommands.Add(url);
        db.Subcommands.Add(reset);
        return db;
    }

    private static EmbeddedPostgres Embedded() => DatabaseLocator.Embedded(GlobalOptions.ProjectRoot);

    /// <summary>
    /// The read-only login's URL: the API role on the same server and database, with its password (<see cref="ReadOnlyLogin"/>).
    /// </summary>
    private static async Task<string> ReadOnlyUrlAsync(string ownerUrl, bool embedded, CancellationToken ct)
    {
        var password = await ReadOnlyLogin.GivePasswordAsync(ConnectionUrl.ToConnectionString(ownerUrl), embedded, ct);
        var uri = new Uri(ownerUrl);
        var userInfo = Uri.EscapeDataString(ApiRole.Name) + (string.IsNullOrEmpty(password) ? "" : ":" + Uri.EscapeDataString(password));
        return $"{uri.Scheme}://{userInfo}@{uri.Authority}{uri.PathAndQuery}";
    }
}
