using Warehouse.Core.Profile;
using Warehouse.Tests.Infrastructure;
using Warehouse.Tests.Remote;

namespace Warehouse.Tests.Profile;

/// <summary>The profile of seeds/sample, checked against the facts written down in seeds/sample/README.md.</summary>
[Trait("Speed", "slow")] // scale: the whole pipeline over seeds/sample for each test
public sealed class DataProfilerTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("profile-").FullName;
    private IReadOnlyList<SourceProfile> _profiles = [];

    public async Task InitializeAsync()
    {
        var db = await TestDatabase.CreateEmptyAsync("profile_of_the_sample_data");
        await RemoteTestSupport.RunAsync(db, RemoteTestSupport.Sample, _work);
        _profiles = await new DataProfiler(db).ProfileAsync(null);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    private SourceProfile Of(string source) => _profiles.Single(p => p.Source == source);

    [Fact]
    public void Profile_OfTheHttpLog_CountsTheDuplicateLineTheRejectsAndTheNearThresholdGaps()
    {
        var p = Of("http_log");
        Assert.Equal((16L, 4L, 0L), (p.Events, p.Users, p.EventsWithoutUser));
        Assert.Equal(new DateTime(2019, 8, 27, 10, 0, 0, DateTimeKind.Utc), p.FirstEventAt!.Value.ToUniversalTime());
        // line 9 = line 10
        Assert.Equal(1, p.DuplicateEvents);
        // 2 -> 3 is exactly 300 s; 3 -> 4 is 299 s, 4 -> 5 299.999 s, 15 -> 16 299.999999 s
        Assert.Equal((3L, 1L), (p.GapsJustBelowThreshold, p.GapsJustAtOrAboveThreshold));
        Assert.Equal(0, p.UsersWithFamilyChange);
        Assert.Equal(2, p.RejectedLines);
        Assert.Equal(2, p.Rejects.Count);
    }

    [Fact]
    public void Profile_OfTheWebshopEvents_CountsAnonymousEventsAndTheFamilyChange()
    {
        var p = Of("webshop_events");
        // lines 3 (null customer) and 4 (no customer-id) have no user
        Assert.Equal((14L, 3L, 2L), (p.Events, p.Users, p.EventsWithoutUser));
        // 5327 changes from Chrome/Windows to Firefox/Linux inside one session
        Assert.Equal((1L, 1L), (p.UsersWithFamilyChange, p.SessionsWithFamilyChange));
        // 2 -> 5 exactly 1800 s, 5 -> 6 1799.999 s
        Assert.Equal((1L, 1L), (p.GapsJustBelowThreshold, p.GapsJustAtOrAboveThreshold));
        Assert.Equal(2, p.RejectedLines);
    }

    [Fact]
    public void ProfileReport_PrintsOneColumnPerSourceAndTheRejectReasons()
    {
        var output = new StringWriter();

        ProfileReport.Write(_profiles, output);

        var lines = output.ToString().Split('\n');
        Assert.Matches(@"^profile\s+http_log\s+webshop_events\s+device_events\s+clickstream\s+access_log\s*$", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("rejects in webshop_events:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("missing field 'event.timestamp'", StringComparison.Ordinal));
    }
}
