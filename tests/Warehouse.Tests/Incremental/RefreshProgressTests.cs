using Warehouse.Core.Pipeline;
using Warehouse.Core.Refresh;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Incremental;

/// <summary>A refresh tells its caller each step as the step starts, so a refresh that runs for minutes shows progress.</summary>
public sealed class RefreshProgressTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("refresh-progress-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Refresh_ReportsEveryTimedStep_AsItStarts()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(Refresh_ReportsEveryTimedStep_AsItStarts));
        var feeder = new BatchFeeder(db, _work);
        foreach (var batch in BatchFeeder.WholeFiles(Path.Combine(TestDatabase.RepoRoot, "seeds", "sample")))
        {
            await feeder.FeedAsync(batch);
        }

        var fullSteps = new List<string>();
        var full = await new Refresher(db).RefreshAsync(
            new RefreshOptions { Full = true, Jobs = 2, Buckets = 3, Progress = new InlineProgress<string>(fullSteps.Add) });
        // an incremental refresh after one more batch (the sample's clickstream again, as a file of another name)
        var clickstream = Path.Combine(_work, "more", "clickstream.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(clickstream)!);
        var lines = File.ReadAllLines(Path.Combine(TestDatabase.RepoRoot, "seeds", "sample", "clickstream.csv"));
        File.WriteAllLines(clickstream, lines.Take(3));
        foreach (var batch in BatchFeeder.WholeFiles(Path.GetDirectoryName(clickstream)!))
        {
            await feeder.LoadAsync(batch);
        }
        var incrementalSteps = new List<string>();
        var incremental = await new Refresher(db).RefreshAsync(
            new RefreshOptions { Progress = new InlineProgress<string>(incrementalSteps.Add) });
        // and one with nothing new: nothing to sessionize
        var nothingSteps = new List<string>();
        await new Refresher(db).RefreshAsync(new RefreshOptions { Progress = new InlineProgress<string>(nothingSteps.Add) });

        // each step as it starts, and inside the long one, each bucket as it is done
        const string Build = "build 3 buckets on 2 jobs";
        Assert.Equal(["analyze staging", "prepare 3 buckets", Build, "aggregate days", "publish", "analyze"], full.Steps.Select(s => s.Step));
        Assert.Equal(
            ["analyze staging", "prepare 3 buckets", Build, $"{Build}: 1/3 done", $"{Build}: 2/3 done", $"{Build}: 3/3 done", "aggregate days", "publish", "analyze"],
            fullSteps);
        Assert.Equal(incremental.Steps.Select(s => s.Step), incrementalSteps);
        Assert.Equal(["reopen affected sessions", "sessionize events", "aggregate sessions", "summarize http sessions", "attribute campaign rewards", "summarize campaign views", "write", "aggregate days", "commit"],
            incrementalSteps);
        Assert.Equal(["reopen affected sessions", "write", "commit"], nothingSteps);
    }
}
