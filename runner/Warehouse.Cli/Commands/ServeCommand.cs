using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warehouse.Api;
using Warehouse.Core.Database;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse serve [--urls URL]</c>: the marts over HTTP as the read-only warehouse_api role, until Ctrl-C.</summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:8000";

    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen, ';'-separated (default {DefaultUrls}: this machine only)",
            DefaultValueFactory = _ => DefaultUrls,
        };
        var command = new Command("serve", "Serve the marts: JSON API, /openapi.json, API docs at /docs, dashboard at /") { urls };
        command.SetAction(async (result, ct) =>
        {
            var owner = GlobalOptions.ConnectionString(result);
            var migrations = Migrations.Options(result);
            await HealthCheck.RequireCurrentAsync(owner, migrations, ct);

            var password = await ReadOnlyLogin.GivePasswordAsync(owner,
                embedded: DatabaseLocator.ExplicitUrl(result.GetValue(GlobalOptions.Database)) is null, ct);
            var reader = ApiRole.ConnectionString(owner, password);
            // Fail here with one line rather than on the first request: e.g. a server that wants a password for the role.
            await (await Connections.OpenAsync(reader, ct)).DisposeAsync();

            var listen = result.GetValue(urls) ?? DefaultUrls;
            await using var app = ApiHost.Build([], builder =>
            {
                builder.WebHost.UseUrls(listen);
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    [$"{ApiSettings.Section}:{nameof(ApiSettings.ConnectionString)}"] = reader,
                    [$"{ApiSettings.Section}:{nameof(ApiSettings.MigrationsDirectory)}"] = migrations.Directory,
                    [$"{ApiSettings.Section}:{nameof(ApiSettings.Target)}"] = migrations.Target,
                });
                // One line per request is noise on a terminal; warnings and errors still show.
                builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
                builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
            });
            await app.StartAsync(ct);

            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                Console.WriteLine($"serving the marts at {address}/ (API docs {address}/docs, OpenAPI {address}{ApiHost.OpenApiPath})");
                if (!IsLoopback(address))
                {
                    Console.WriteLine($"note: {address} is reachable from other machines; anyone who can reach it can read the marts");
                }
            }
            Console.WriteLine("press Ctrl-C to stop");
            await app.WaitForShutdownAsync(ct);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            return false;
        }
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
