using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Warehouse.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Api;

/// <summary>The API in-process (TestServer), connected as the read-only role to a test database.</summary>
/// <remarks>Program is qualified: the CLI's top-level Program (global namespace) would otherwise win the lookup.</remarks>
public sealed class ApiFactory(string apiConnectionString, string? migrationsDirectory = null) : WebApplicationFactory<Warehouse.Api.Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Production: what people run, so no developer exception page could leak details into a response.
        builder.UseEnvironment("Production");
        // Warnings and errors only: per-request information lines would bury a failing test in the suite's output.
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.UseSetting($"{ApiSettings.Section}:{nameof(ApiSettings.ConnectionString)}", apiConnectionString);
        builder.UseSetting($"{ApiSettings.Section}:{nameof(ApiSettings.MigrationsDirectory)}", migrationsDirectory ?? TestDatabase.MigrationsDirectory);
    }
}
