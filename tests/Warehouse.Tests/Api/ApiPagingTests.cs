using System.Net;
using System.Text;
using System.Text.Json;
using Warehouse.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Api;

/// <summary>Paging that always advances, at the edges of the time range too.</summary>
public sealed class ApiPagingTests
{
    [Fact]
    public async Task CampaignPerformance_WithSessionsStartingAtYearOne_PagesThroughEveryRowOnce()
    {
        // Three users start a session at exactly 0001-01-01T00:00:00Z (DateTime.MinValue, which Npgsql would send as
        // -infinity), a fourth in 2024.
        var db = await TestDatabase.CreateMigratedAsync(nameof(CampaignPerformance_WithSessionsStartingAtYearOne_PagesThroughEveryRowOnce));
        var sql = new StringBuilder();
        var line = 0;
        foreach (var (user, at) in new[] { ("y1", "0001-01-01T00:00:00Z"), ("y2", "0001-01-01T00:00:00Z"), ("y3", "0001-01-01T00:00:00Z"), ("n1", "2024-03-01T10:00:00Z") })
        {
            sql.AppendLine($"insert into staging.http_log values ('{at}', 'GET', '/home', '{user}', 'http_log.txt', {++line});");
        }
        await TestDatabase.ExecuteAsync(db, sql.ToString());
        await new Warehouse.Core.Refresh.Refresher(db).RefreshAsync(new Warehouse.Core.Refresh.RefreshOptions { Full = true });
        await ApiRole.SetPasswordAsync(db, ApiTestData.ApiPassword); // the test cluster asks every login for a password
        await using var factory = new ApiFactory(ApiTestData.ApiConnectionString(db));
        using var client = factory.CreateClient();

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            using var response = await client.GetAsync("/campaigns/performance?limit=1" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            var page = JsonDocument.Parse(body).RootElement;
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("user_id").GetString()!));
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_cursor").GetString();
            Assert.True(seen.Count <= 4, $"paging does not advance: {string.Join(", ", seen)}");
        }
        while (cursor is not null);

        Assert.Equal(["y1", "y2", "y3", "n1"], seen);
    }
}
