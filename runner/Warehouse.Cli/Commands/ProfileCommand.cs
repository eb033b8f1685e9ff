using System.CommandLine;
using Warehouse.Core.Profile;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse profile [--source S]</c>: what came in, per source, read from the database alone.</summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var source = new Option<string?>("--source") { Description = "Only this source: http_log, webshop_events, device_events or clickstream" };
        var command = new Command("profile",
            "Profile the loaded data per source: time range, events, users, events without a user, rejects by reason, " +
            "exact duplicates, users whose browser/OS/device family changes inside a session, gaps within 1 s of the session threshold")
        {
            source,
        };
        command.SetAction(async (result, ct) =>
        {
            var connection = GlobalOptions.ConnectionString(result);
            var profiles = await new DataProfiler(connection).ProfileAsync(result.GetValue(source), ct);
            ProfileReport.Write(profiles, Console.Out);
            return ExitCodes.Ok;
        });
        return command;
    }
}
