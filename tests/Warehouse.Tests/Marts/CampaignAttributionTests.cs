using System.Globalization;
using System.Text;
using Npgsql;
using Warehouse.Api;
using Warehouse.Core.Refresh;
using Warehouse.Tests.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Marts;

/// <summary>
/// marts.campaign_reward_attribution and marts.campaign_daily on hand-worked requests, read as an analyst would, through
/// the read-only login: two campaigns that could both claim a reward, a campaign viewed after the reward, a reward of no
/// campaign, and a session with views but no rewards.
/// </summary>
public sealed class CampaignAttributionTests : IAsyncLifetime
{
    private string _reader = "";

    // user, time (2024-03-01, UTC), method, path
    private static readonly (string User, string At, string Method, string Path)[] Requests =
    [
        ("a", "10:00", "GET", "/campaigns/1"),
        ("a", "10:01", "GET", "/campaigns/2"),
        ("a", "10:02", "POST", "/rewards/r1"),  // 1 and 2 both contain r1 and were viewed before: 2, viewed last, drove it
        ("a", "10:03", "POST", "/rewards/r9"),  // in no campaign
        ("a", "10:04", "GET", "/campaigns/3"),
        ("b", "11:00", "POST", "/rewards/r3"),  // campaign 3 contains it, but b views it only after
        ("b", "11:01", "GET", "/campaigns/3"),
        ("c", "12:00", "GET", "/campaigns/1"),  // views, no rewards
        ("c", "12:01", "GET", "/campaigns/1"),
    ];

    public async Task InitializeAsync()
    {
        var owner = await TestDatabase.CreateMigratedAsync(nameof(CampaignAttributionTests));
        var sql = new StringBuilder("insert into staging.campaign_reward_mapping (campaign_id, reward_id) values ('1', 'r1'), ('2', 'r1'), ('3', 'r3');\n");
        var line = 0;
        foreach (var (user, at, method, path) in Requests)
        {
            sql.AppendLine(CultureInfo.InvariantCulture,
                $"insert into staging.http_log values ('2024-03-01T{at}:00Z', '{method}', '{path}', '{user}', 'http_log.txt', {++line});");
        }
        await TestDatabase.ExecuteAsync(owner, sql.ToString());
        await new Refresher(owner).RefreshAsync(new RefreshOptions { Full = true });
        await ApiRole.SetPasswordAsync(owner, ApiTestData.ApiPassword);
        _reader = ApiTestData.ApiConnectionString(owner);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<string>> RowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_reader);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(",", Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }
        return rows;
    }

    [Fact]
    public async Task Attribution_CreditsTheLastClaimingCampaignViewedAtOrBeforeTheIssue()
    {
        var rows = await RowsAsync("""
            select user_id, session_id, reward_id, to_char(issued_at at time zone 'UTC', 'HH24:MI'), campaign_id,
                to_char(campaign_viewed_at at time zone 'UTC', 'HH24:MI'), claiming_campaigns
            from marts.campaign_reward_attribution order by issued_at
            """);

        Assert.Equal(
        [
            "a,http_log:a:1,r1,10:02,2,10:01,2",
            "a,http_log:a:1,r9,10:03,,,0",
            "b,http_log:b:1,r3,11:00,,,0",
        ], rows);
    }

    [Fact]
    public async Task CampaignDaily_CountsViewsSessionsViewersRewardsAndWhatTheCampaignDrove()
    {
        var rows = await RowsAsync("""
            select campaign_id, to_char(day, 'YYYY-MM-DD'), sessions_with_view, views, viewers, rewards_issued, rewards_driven, view_to_driven_reward_rate
            from marts.campaign_daily order by campaign_id
            """);

        Assert.Equal(
        [
            "1,2024-03-01,2,3,2,2,0,0.0000",
            "2,2024-03-01,1,1,1,2,1,1.0000",
            "3,2024-03-01,2,2,2,3,0,0.0000",
        ], rows);
    }

    /// <summary>The README's query for "which campaigns drove the most rewards last week?", as an analyst runs it.</summary>
    [Fact]
    public async Task ReadmeQuery_CampaignsThatDroveTheMostRewardsInAWeek()
    {
        var rows = await RowsAsync("""
            select campaign_id, count(*) as rewards_driven
            from marts.campaign_reward_attribution
            where campaign_id is not null
                and issued_at >= '2024-02-26' and issued_at < '2024-03-04'
            group by campaign_id
            order by rewards_driven desc, campaign_id
            """);

        Assert.Equal(["2,1"], rows);
    }
}
