namespace Warehouse.Api;

/// <summary>
/// Entry point for running the API on its own (and for WebApplicationFactory in tests). Settings come from configuration:
/// <c>Warehouse:ConnectionString</c> (the read-only warehouse_api role), <c>Warehouse:MigrationsDirectory</c>,
/// <c>Warehouse:Target</c>. People normally start it with <c>warehouse serve</c>, which derives those settings.
/// </summary>
public sealed class Program
{
    public static async Task Main(string[] args)
    {
        await using var app = ApiHost.Build(args);
        await app.RunAsync();
    }
}
