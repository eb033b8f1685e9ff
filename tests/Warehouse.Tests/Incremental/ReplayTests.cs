using Warehouse.Core.Generate;
using Warehouse.Core.Replay;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Incremental;

[Trait("Speed", "slow")] // scale: a generated file of 30,000 events replayed
public sealed class ReplayTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("replay-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Replay_InterruptedMidwayAndRestarted_GivesTheMartsOfAFullLoad()
    {
        var generated = Path.Combine(_work, "generated");
        DataGenerator.Generate(new GenerateOptions(30_000, 300, 9, ["clickstream-csv"], generated));
        var file = Path.Combine(generated, "clickstream.csv");

        var fullDb = await TestDatabase.CreateMigratedAsync("replay_full_load_reference");
        var full = new BatchFeeder(fullDb, _work);
        foreach (var batch in BatchFeeder.WholeFiles(generated))
        {
            await full.FeedAsync(batch);
        }
        var expected = await full.MartsAsync();

        var db = await TestDatabase.CreateMigratedAsync("replay_interrupted_and_restarted");
        var options = new ReplayOptions
        {
            File = file,
            Pacing = ReplayPacing.Rate(20_000),
            BatchInterval = TimeSpan.FromMilliseconds(20),
            MaxBatchLines = 400,
            WorkDirectory = Path.Combine(_work, "replay-work"),
        };
        using var stop = new CancellationTokenSource();
        var batches = 0;
        var first = await new Replayer(db).ReplayAsync(options, new OnBatch(_ =>
        {
            if (++batches == 3)
            {
                stop.Cancel(); // as Ctrl-C would, right after the third batch committed
            }
        }), stop.Token);

        Assert.True(first.Stopped);
        var lines = File.ReadLines(file).Count();
        Assert.InRange(first.LinesDone, 2, lines - 1);

        var second = await new Replayer(db).ReplayAsync(options);

        Assert.False(second.Stopped);
        Assert.Equal(first.LinesDone, second.StartedAtLine);
        Assert.Equal(lines, second.LinesDone);
        var actual = await new BatchFeeder(db, _work).MartsAsync();
        foreach (var (name, rows) in expected)
        {
            Assert.True(rows.SequenceEqual(actual[name]), $"{name}: {rows.Count} rows after a full load, {actual[name].Count} after the replay; " +
                $"first missing: {rows.Except(actual[name]).FirstOrDefault()}; first unexpected: {actual[name].Except(rows).FirstOrDefault()}");
        }
        Assert.Equal(first.EventsLoaded + second.EventsLoaded,
            await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.clickstream"));

        var third = await new Replayer(db).ReplayAsync(options);
        Assert.Equal((0, lines), (third.Batches, (int)third.LinesDone));
    }

    private sealed class OnBatch(Action<ReplayBatch> onBatch) : IProgress<ReplayBatch>
    {
        public void Report(ReplayBatch value) => onBatch(value);
    }
}
