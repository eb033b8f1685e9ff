namespace Warehouse.Tests.Marts;

/// <summary>marts.campaign_performance: columns user_id | session_start | session_end | campaigns | rewards_issued | driven.</summary>
public sealed class CampaignPerformanceTests
{
    [Fact]
    public async Task RewardAfterAViewOfItsCampaign_IsDriven()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(RewardAfterAViewOfItsCampaign_IsDriven));
        await db.MappingAsync(("10", "100"));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /campaigns/10 1001",
            "2019-08-27T10:00:30Z POST /rewards/100 1001");

        Assert.Equal(
            ["1001 | 2019-08-27T10:00:00Z | 2019-08-27T10:00:30Z | [\"10\"] | [\"100\"] | true"],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task RewardBeforeTheCampaignView_IsNotDriven()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(RewardBeforeTheCampaignView_IsNotDriven));
        await db.MappingAsync(("22", "200"));
        await db.HttpLogAsync(
            "2019-08-27T11:01:00Z POST /rewards/200 1002",
            "2019-08-27T11:02:00Z GET /campaigns/22 1002");

        Assert.Equal(
            ["1002 | 2019-08-27T11:01:00Z | 2019-08-27T11:02:00Z | [\"22\"] | [\"200\"] | false"],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task RewardNotInTheMapping_IsNotDriven()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(RewardNotInTheMapping_IsNotDriven));
        await db.MappingAsync(("30", "301"));
        await db.HttpLogAsync(
            "2019-08-27T12:00:00Z GET /campaigns/30 1003",
            "2019-08-27T12:00:10Z POST /rewards/300 1003");

        Assert.Equal(
            ["1003 | 2019-08-27T12:00:00Z | 2019-08-27T12:00:10Z | [\"30\"] | [\"300\"] | false"],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task CampaignViewedInAnEarlierSession_DoesNotDriveTheReward()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(CampaignViewedInAnEarlierSession_DoesNotDriveTheReward));
        await db.MappingAsync(("10", "100"));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /campaigns/10 1001",
            "2019-08-27T10:05:00Z POST /rewards/100 1001");

        Assert.Equal(
            [
                "1001 | 2019-08-27T10:00:00Z | 2019-08-27T10:00:00Z | [\"10\"] | [] | false",
                "1001 | 2019-08-27T10:05:00Z | 2019-08-27T10:05:00Z | [] | [\"100\"] | false",
            ],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task CampaignViewAtTheSameInstantAsTheReward_DrivesIt()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(CampaignViewAtTheSameInstantAsTheReward_DrivesIt));
        await db.MappingAsync(("10", "101"));
        // "At or before" is about time: the view on the next line of the same second still counts.
        await db.HttpLogAsync(
            "2019-08-27T13:00:00Z POST /rewards/101 1003",
            "2019-08-27T13:00:00Z GET /campaigns/10 1003");

        Assert.Equal(
            ["1003 | 2019-08-27T13:00:00Z | 2019-08-27T13:00:00Z | [\"10\"] | [\"101\"] | true"],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task Lists_AreDistinctInOrderOfFirstOccurrence()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(Lists_AreDistinctInOrderOfFirstOccurrence));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /campaigns/2 1001",
            "2019-08-27T10:00:01Z POST /rewards/9 1001",
            "2019-08-27T10:00:02Z GET /campaigns/1 1001",
            "2019-08-27T10:00:03Z GET /campaigns/2 1001",
            "2019-08-27T10:00:04Z POST /rewards/8 1001",
            "2019-08-27T10:00:05Z POST /rewards/9 1001",
            "2019-08-27T10:00:06Z GET /campaigns/3 1001");

        Assert.Equal(
            ["1001 | 2019-08-27T10:00:00Z | 2019-08-27T10:00:06Z | [\"2\",\"1\",\"3\"] | [\"9\",\"8\"] | false"],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task CampaignViewsAtTheSameInstant_AreListedInLineOrder()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(CampaignViewsAtTheSameInstant_AreListedInLineOrder));
        await db.HttpLogAsync(
            "2019-08-27T11:00:00Z GET /campaigns/21 1002",
            "2019-08-27T11:00:00Z GET /campaigns/20 1002",
            "2019-08-27T11:00:00Z GET /campaigns/22 1002");

        Assert.Equal(
            ["1002 | 2019-08-27T11:00:00Z | 2019-08-27T11:00:00Z | [\"21\",\"20\",\"22\"] | [] | false"],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task OnlyGetCampaignAndPostRewardWithAnId_AreViewsAndIssues()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(OnlyGetCampaignAndPostRewardWithAnId_AreViewsAndIssues));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z POST /campaigns/1 1001",
            "2019-08-27T10:00:01Z GET /rewards/2 1001",
            "2019-08-27T10:00:02Z GET /campaigns/ 1001",
            "2019-08-27T10:00:03Z GET /campaigns/3/details 1001",
            "2019-08-27T10:00:04Z GET /campaigns/4?ref=mail 1001",
            "2019-08-27T10:00:05Z POST /rewards/5 1001");

        Assert.Equal(
            ["1001 | 2019-08-27T10:00:00Z | 2019-08-27T10:00:05Z | [\"4\"] | [\"5\"] | false"],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task CampaignViewBetweenTwoIssuesOfTheReward_DrivesIt()
    {
        // the first issue comes before any view, the second after it: the second is driven, so the session is
        var db = await WarehouseDatabase.CreateAsync(nameof(CampaignViewBetweenTwoIssuesOfTheReward_DrivesIt));
        await db.MappingAsync(("40", "400"));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z POST /rewards/400 1004",
            "2019-08-27T10:00:10Z GET /campaigns/40 1004",
            "2019-08-27T10:00:20Z POST /rewards/400 1004");

        Assert.Equal(
            ["1004 | 2019-08-27T10:00:00Z | 2019-08-27T10:00:20Z | [\"40\"] | [\"400\"] | true"],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task SessionWithoutViewsOrIssues_HasEmptyLists()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(SessionWithoutViewsOrIssues_HasEmptyLists));
        await db.MappingAsync(("50", "500"));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /home 1005",
            "2019-08-27T10:00:05Z GET /campaigns/50 1006");

        Assert.Equal(
            [
                "1005 | 2019-08-27T10:00:00Z | 2019-08-27T10:00:00Z | [] | [] | false",
                "1006 | 2019-08-27T10:00:05Z | 2019-08-27T10:00:05Z | [\"50\"] | [] | false",
            ],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task RewardOfTwoCampaigns_IsDrivenByAViewOfEitherBeforeIt()
    {
        // reward 100 belongs to campaigns 10 and 11: 11 is viewed before the issue, 10 only after it
        var db = await WarehouseDatabase.CreateAsync(nameof(RewardOfTwoCampaigns_IsDrivenByAViewOfEitherBeforeIt));
        await db.MappingAsync(("10", "100"), ("11", "100"));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /campaigns/11 1007",
            "2019-08-27T10:00:30Z POST /rewards/100 1007",
            "2019-08-27T10:01:00Z GET /campaigns/10 1007");

        Assert.Equal(
            ["1007 | 2019-08-27T10:00:00Z | 2019-08-27T10:01:00Z | [\"11\",\"10\"] | [\"100\"] | true"],
            await db.MartAsync("campaign_performance"));
    }

    [Fact]
    public async Task ViewOfACampaignOfAnotherIssuedReward_DoesNotDriveIt()
    {
        // campaign 11 (reward 101) is viewed before reward 100 is issued, and campaign 10 (reward 100) only after it:
        // each campaign is matched with its own rewards, never with another's
        var db = await WarehouseDatabase.CreateAsync(nameof(ViewOfACampaignOfAnotherIssuedReward_DoesNotDriveIt));
        await db.MappingAsync(("10", "100"), ("11", "101"));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /campaigns/11 1008",
            "2019-08-27T10:00:30Z POST /rewards/100 1008",
            "2019-08-27T10:01:00Z GET /campaigns/10 1008");

        Assert.Equal(
            ["1008 | 2019-08-27T10:00:00Z | 2019-08-27T10:01:00Z | [\"11\",\"10\"] | [\"100\"] | false"],
            await db.MartAsync("campaign_performance"));
    }
}
