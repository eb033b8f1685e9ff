using System.Globalization;
using System.Text;

namespace Warehouse.Tests.Marts;

/// <summary>
/// The README's attribution query, run as an analyst runs it: through the read-only login. The attribution rules
/// themselves are rule tests kept as data (tests/sql/marts.campaign_reward_attribution, tests/sql/marts.campaign_daily).
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
        var sql = new StringBuilder("insert into staging.campaign_reward_mapping (campaign_id, reward_id) values ('1', 'r1'), ('2', 'r1'), ('3', 'r3');\n");
        var line = 0;
        foreach (var (user, at, method, path) in Requests)
        {
            sql.AppendLine(CultureInfo.InvariantCulture,
                $"insert into staging.http_log values ('2024-03-01T{at}:00Z', '{method}', '{path}', '{user}', 'http_log.txt', {++line});");
        }
        _reader = await AnalystDatabase.CreateAsync(nameof(CampaignAttributionTests), sql.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<List<string>> RowsAsync(string sql) => AnalystDatabase.RowsAsync(_reader, sql);

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
