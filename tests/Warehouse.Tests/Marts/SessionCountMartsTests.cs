namespace Warehouse.Tests.Marts;

/// <summary>marts.sessions_by_key (source | group_key | group_value | sessions) and marts.daily_sessions.</summary>
public sealed class SessionCountMartsTests
{
    [Fact]
    public async Task FirstEventFamily_DecidesTheSessionsGroup()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(FirstEventFamily_DecidesTheSessionsGroup));
        // One session whose browser, OS and device all change after its first event.
        await db.WebshopEventsAsync(
            new WebshopRow("2022-04-28T07:00:00Z", "5327", Browser: "Chrome", Os: "Windows", Device: "Other"),
            new WebshopRow("2022-04-28T07:20:00Z", "5327", Browser: "Firefox", Os: "Linux", Device: "Generic Smartphone"));

        Assert.Equal(
            [
                "webshop_events | browser_family | Chrome | 1",
                "webshop_events | device_family | Other | 1",
                "webshop_events | os_family | Windows | 1",
            ],
            await db.MartAsync("sessions_by_key"));
    }

    [Fact]
    public async Task SessionsByKey_CountsEverySessionOncePerKey_WithNullFamiliesAsTheirOwnGroup()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(SessionsByKey_CountsEverySessionOncePerKey_WithNullFamiliesAsTheirOwnGroup));
        await db.DeviceEventsAsync(
            new DeviceRow("A", "2019-04-09T00:00:00Z", 1, "Chrome Mobile", "Android", "Samsung SM-G960F"),
            new DeviceRow("A", "2019-04-09T01:00:00Z", 2, "Chrome Mobile", "Android", "Samsung SM-G960F"),
            new DeviceRow("B", "2019-04-09T00:00:00Z", 3, "Mobile Safari", "iOS", "iPhone"),
            new DeviceRow("C", "2019-04-09T00:00:00Z", 4, null, null, null));

        Assert.Equal(
            [
                "device_events | browser_family |  | 1",
                "device_events | browser_family | Chrome Mobile | 2",
                "device_events | browser_family | Mobile Safari | 1",
                "device_events | device_family |  | 1",
                "device_events | device_family | Samsung SM-G960F | 2",
                "device_events | device_family | iPhone | 1",
                "device_events | os_family |  | 1",
                "device_events | os_family | Android | 2",
                "device_events | os_family | iOS | 1",
            ],
            await db.MartAsync("sessions_by_key"));
    }

    [Fact]
    public async Task DailySessions_AreDatedByTheirUtcStart()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(DailySessions_AreDatedByTheirUtcStart));
        // u42's first session runs over midnight and belongs, with both its events, to 04-08.
        await db.ClickstreamAsync(
            ("u42", "2019-04-08T23:50:00Z"),
            ("u42", "2019-04-09T00:10:00Z"),
            ("u42", "2019-04-09T06:00:00Z"),
            ("u7", "2019-04-09T07:00:00Z"),
            ("u7", "2019-04-09T07:01:40Z"),
            ("u7", "2019-04-09T09:00:00Z"));

        Assert.Equal(
            [
                "clickstream | 2019-04-08 | 1 | 1 | 2 | 1200.000000",
                "clickstream | 2019-04-09 | 3 | 2 | 4 | 0.000000",
            ],
            await db.MartAsync("daily_sessions"));
    }

    [Fact]
    public async Task DailyMedianDuration_InterpolatesBetweenTheMiddleSessions()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(DailyMedianDuration_InterpolatesBetweenTheMiddleSessions));
        // Sessions of 0 s and 100 s: median 50 s.
        await db.ClickstreamAsync(
            ("u42", "2019-04-09T00:00:00Z"),
            ("u7", "2019-04-09T00:00:00Z"),
            ("u7", "2019-04-09T00:01:40Z"));

        Assert.Equal(["clickstream | 2019-04-09 | 2 | 2 | 3 | 50.000000"], await db.MartAsync("daily_sessions"));
    }
}
