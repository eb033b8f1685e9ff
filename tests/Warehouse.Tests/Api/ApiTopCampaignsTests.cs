using System.Net;
using System.Text.Json;

namespace Warehouse.Tests.Api;

/// <summary>GET /campaigns/top against campaign_daily rows worked out by hand (see <see cref="ApiTestData.AddCampaignDaysAsync"/>).</summary>
public sealed class ApiTopCampaignsTests(CampaignDaysApi api) : IClassFixture<CampaignDaysApi>
{
    /// <summary>Each campaign as "id: views viewers sessions_with_view rewards_issued rewards_driven rate", in the answer's order.</summary>
    private static List<string> Rows(JsonElement json) =>
        [.. json.GetProperty("campaigns").EnumerateArray().Select(c =>
            $"{c.GetProperty("campaign_id").GetString()}: {c.GetProperty("views").GetInt64()} {c.GetProperty("viewers").GetInt64()} " +
            $"{c.GetProperty("sessions_with_view").GetInt64()} {c.GetProperty("rewards_issued").GetInt64()} " +
            $"{c.GetProperty("rewards_driven").GetInt64()} {c.GetProperty("view_to_driven_reward_rate").GetDouble():0.####}")];

    private static void AssertPeriod(JsonElement json, string from, string to)
    {
        Assert.Equal(from, json.GetProperty("from").GetString());
        Assert.Equal(to, json.GetProperty("to").GetString());
    }

    [Fact]
    public async Task TopCampaigns_OverEveryDay_RankByRewardsDrivenWithTheRateOfTheSummedCounts()
    {
        var json = await api.GetJsonAsync("/campaigns/top?from=2024-03-01&to=2024-03-04");

        AssertPeriod(json, "2024-03-01", "2024-03-04");
        // campaign 3: 3 driven of 5 views is 0.6 (the mean of its daily rates, 0 and 0.75, would be 0.375);
        // campaign 2: 2 of 3 (daily 0 and 1); campaign 4 was viewed and drove nothing
        Assert.Equal(["3: 5 3 3 4 3 0.6", "2: 3 3 3 3 2 0.6667", "1: 2 2 2 2 1 0.5", "4: 1 1 1 0 0 0"], Rows(json));
        Assert.Equal(
            ["campaign_id", "views", "viewers", "sessions_with_view", "rewards_issued", "rewards_driven", "view_to_driven_reward_rate"],
            json.GetProperty("campaigns")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task TopCampaigns_ForAPeriodEndingBeforeADay_LeaveThatDaysViewsAndRewardsOut()
    {
        var json = await api.GetJsonAsync("/campaigns/top?from=2024-03-01&to=2024-03-03");

        // without 2024-03-04 campaign 3 has only u22's view and drove nothing: below the campaigns that drove rewards
        Assert.Equal(["2: 3 3 3 3 2 0.6667", "1: 2 2 2 2 1 0.5", "3: 1 1 1 1 0 0", "4: 1 1 1 0 0 0"], Rows(json));
    }

    [Fact]
    public async Task TopCampaigns_ForOneDay_CountOnlyThatDay()
    {
        var json = await api.GetJsonAsync("/campaigns/top?from=2024-03-02&to=2024-03-02");

        Assert.Equal(["2: 2 2 2 2 2 1", "3: 1 1 1 1 0 0", "4: 1 1 1 0 0 0"], Rows(json));
    }

    [Fact]
    public async Task TopCampaigns_WithoutPeriod_AnswerTheWeekEndingOnTheLatestDayWithAView()
    {
        var json = await api.GetJsonAsync("/campaigns/top");

        AssertPeriod(json, "2024-02-27", "2024-03-04");
        Assert.Equal(["3: 5 3 3 4 3 0.6", "2: 3 3 3 3 2 0.6667", "1: 2 2 2 2 1 0.5", "4: 1 1 1 0 0 0"], Rows(json));
    }

    [Fact]
    public async Task TopCampaigns_WithOneEndOnly_AnswerTheWeekFromOrToIt()
    {
        var fromOnly = await api.GetJsonAsync("/campaigns/top?from=2024-03-02");
        var toOnly = await api.GetJsonAsync("/campaigns/top?to=2024-03-02");

        AssertPeriod(fromOnly, "2024-03-02", "2024-03-08");
        Assert.Equal(["3: 5 3 3 4 3 0.6", "2: 2 2 2 2 2 1", "4: 1 1 1 0 0 0"], Rows(fromOnly));
        AssertPeriod(toOnly, "2024-02-25", "2024-03-02");
        Assert.Equal(["2: 3 3 3 3 2 0.6667", "1: 2 2 2 2 1 0.5", "3: 1 1 1 1 0 0", "4: 1 1 1 0 0 0"], Rows(toOnly));
    }

    [Fact]
    public async Task TopCampaigns_WithLimit_ReturnTheFirstOfTheRanking()
    {
        var json = await api.GetJsonAsync("/campaigns/top?from=2024-03-01&to=2024-03-04&limit=2");

        Assert.Equal(["3: 5 3 3 4 3 0.6", "2: 3 3 3 3 2 0.6667"], Rows(json));
    }

    [Fact]
    public async Task TopCampaigns_AtTheEndsOfTheCalendar_ClampTheWeekInsteadOfFailing()
    {
        var last = await api.GetJsonAsync("/campaigns/top?from=9999-12-30");
        var first = await api.GetJsonAsync("/campaigns/top?to=0001-01-02");

        AssertPeriod(last, "9999-12-30", "9999-12-31");
        AssertPeriod(first, "0001-01-01", "0001-01-02");
        Assert.Empty(Rows(last));
        Assert.Empty(Rows(first));
    }

    [Theory]
    [InlineData("/campaigns/top?from=yesterday", "from")]
    [InlineData("/campaigns/top?from=2024-02-30", "from")]
    [InlineData("/campaigns/top?to=2024-03-01T00:00:00Z", "to")]
    [InlineData("/campaigns/top?from=2024-03-01&from=2024-03-02", "from")]
    [InlineData("/campaigns/top?from=2024-03-04&to=2024-03-01", "to")]
    [InlineData("/campaigns/top?limit=0", "limit")]
    [InlineData("/campaigns/top?limit=101", "limit")]
    [InlineData("/campaigns/top?limit=ten", "limit")]
    [InlineData("/campaigns/top?limit=-1", "limit")]
    public async Task TopCampaigns_WithBadParameter_Return400NamingIt(string path, string parameter)
    {
        using var response = await api.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesTopCampaignsWithItsParameters()
    {
        var json = await api.GetJsonAsync("/openapi.json");

        var parameters = json.GetProperty("paths").GetProperty("/campaigns/top").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["from", "to", "limit"], parameters);
    }
}
