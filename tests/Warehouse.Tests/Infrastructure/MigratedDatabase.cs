namespace Warehouse.Tests.Infrastructure;

/// <summary>
/// One migrated database for a whole test class (<c>IClassFixture&lt;MigratedDatabase&gt;</c>), for tests that do not
/// disturb each other's rows: a database is a copy of the migrated template, and a copy per test is the suite's
/// largest fixed cost.
/// </summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await TestDatabase.CreateMigratedAsync("class");

    public Task DisposeAsync() => Task.CompletedTask;
}
