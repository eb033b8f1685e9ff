using Warehouse.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Api;

/// <summary>The read-only role belongs to the whole server, so its password may be set from several databases or processes at once.</summary>
public sealed class ApiRolePasswordTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task SetPassword_FromManyConnectionsAtOnce_SucceedsEveryTime()
    {
        // the same password every other class logs in with: the role is shared by the tests running beside this one
        var setters = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await ApiRole.SetPasswordAsync(database.ConnectionString, ApiTestData.ApiPassword);
            }
        }));

        await Task.WhenAll(setters);

        Assert.Equal(1, await TestDatabase.ScalarAsync<int>(ApiTestData.ApiConnectionString(database.ConnectionString), "select 1"));
    }
}
