using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Warehouse.Api;
using Warehouse.Core;
using Warehouse.Core.Bench;
using Warehouse.Core.Database;

namespace Warehouse.Cli;

/// <summary>
/// The API's endpoints timed for <c>warehouse bench</c>: the API in this process on a free loopback port, as the
/// read-only login, over the benchmark's database; each endpoint asked over HTTP as a dashboard asks it.
/// </summary>
internal static class BenchApi
{
    /// <summary>Each endpoint with the query a dashboard page sends: the last week, a page of 100, one family key.</summary>
    private static IReadOnlyList<(string Path, string What)> Endpoints(BenchReadContext c) =>
    [
        ("/metrics/order", "the two medians"),
        ("/sessions/by/browser_family", "one family key, all sources"),
        ("/sessions/daily", "every day and source"),
        ("/sessions/daily?source=http_log", "every day of one source"),
        ($"/sessions/daily-by-key?key=browser_family&from={c.From}&to={c.To}", "one family key for a week"),
        ($"/campaigns/performance?from={c.From}T00:00:00Z&to={c.To}T00:00:00Z&limit=100", "a page of 100 sessions of a week"),
        ($"/campaigns/top?from={c.From}&to={c.To}&limit=10", "the top 10 campaigns of a week"),
        ($"/traffic/sources?from={c.From}&to={c.To}", "a week"),
        ("/traffic/landing-pages?limit=100", "the top 100"),
        ($"/traffic/status-daily?from={c.From}&to={c.To}", "a week"),
        ("/health", "migrations current"),
    ];

    public static async Task<IReadOnlyList<BenchRead>> TimeAsync(BenchReadContext context, string migrationsDirectory, bool embedded,
        CancellationToken ct)
    {
        var password = await ReadOnlyLogin.GivePasswordAsync(context.ConnectionString, embedded, ct);
        var reader = ApiRole.ConnectionString(context.ConnectionString, password);
        try
        {
            await (await Connections.OpenAsync(reader, ct)).DisposeAsync();
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("28", StringComparison.Ordinal))
        {
            // another server without the login's password: the pipeline's figures still stand
            Console.WriteLine($"note: API endpoints not timed: {ApiRole.Name} cannot log in ({e.MessageText}); set {ApiRole.PasswordVariable}");
            return [];
        }
        await using var app = ApiHost.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{ApiSettings.Section}:{nameof(ApiSettings.ConnectionString)}"] = reader,
                [$"{ApiSettings.Section}:{nameof(ApiSettings.MigrationsDirectory)}"] = migrationsDirectory,
            });
            builder.Logging.ClearProviders();
        });
        await app.StartAsync(ct);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
            var reads = new List<BenchRead>();
            foreach (var (path, what) in Endpoints(context))
            {
                reads.Add(await Benchmark.MedianAsync("GET " + path, what, async token =>
                {
                    using var response = await client.GetAsync(path, token);
                    var body = await response.Content.ReadAsByteArrayAsync(token);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new WarehouseException($"bench: GET {path} answered {(int)response.StatusCode}");
                    }
                    return body.Length;
                }, ct));
            }
            return reads;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}
