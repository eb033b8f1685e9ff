using Warehouse.Core.Generate;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Incremental;

/// <summary>
/// The invariant of incremental refresh (issue 7): however the input is cut into batches and in whatever order the
/// batches arrive, with a refresh after each, every mart equals the marts of one full load. Each split is drawn from a
/// seed, and a failure names it, so it can be replayed.
/// </summary>
[Trait("Speed", "slow")] // property tests: many random batch splits of real files
public sealed class BatchEquivalenceTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("incr-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Marts_AfterTheSampleFedInRandomBatches_EqualOneFullLoad(int seed)
    {
        var sample = Path.Combine(TestDatabase.RepoRoot, "seeds", "sample");
        await AssertBatchesEqualFullLoadAsync(sample, seed);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task Marts_AfterGeneratedDataFedInRandomBatches_EqualOneFullLoad(int seed)
    {
        // ~20k events: 5,000 in each of the four formats, with duplicates, exact-threshold gaps and bad lines.
        var generated = Path.Combine(_work, "generated");
        DataGenerator.Generate(new GenerateOptions(5_000, 600, 5, GenerateOptions.AllSources, generated));
        await AssertBatchesEqualFullLoadAsync(generated, seed);
    }

    [Fact]
    public async Task Refresh_WhenNothingWasLoadedSince_ChangesNothing()
    {
        var sample = Path.Combine(TestDatabase.RepoRoot, "seeds", "sample");
        var db = await TestDatabase.CreateMigratedAsync(nameof(Refresh_WhenNothingWasLoadedSince_ChangesNothing));
        var feeder = new BatchFeeder(db, _work);
        foreach (var batch in BatchFeeder.WholeFiles(sample))
        {
            await feeder.FeedAsync(batch);
        }
        var before = await feeder.MartsAsync();

        var result = await new Core.Refresh.Refresher(db).RefreshAsync([]);

        Assert.False(result.Full);
        Assert.Equal((0L, 0L, 0L), (result.UsersReopened, result.EventsWritten, result.SessionsWritten));
        Assert.Equal(before, await feeder.MartsAsync());
    }

    private async Task AssertBatchesEqualFullLoadAsync(string input, int seed)
    {
        var fullDb = await TestDatabase.CreateMigratedAsync("incremental_full_load_" + seed);
        var full = new BatchFeeder(fullDb, _work);
        foreach (var file in BatchFeeder.WholeFiles(input))
        {
            await full.FeedAsync(file);
        }
        var expected = await full.MartsAsync();
        Assert.NotEmpty(expected["core.sessions"]);

        var batches = BatchFeeder.RandomSplit(input, new Random(seed));
        var db = await TestDatabase.CreateMigratedAsync("incremental_batches_" + seed);
        var feeder = new BatchFeeder(db, _work);
        foreach (var batch in batches)
        {
            await feeder.FeedAsync(batch);
        }
        var actual = await feeder.MartsAsync();

        foreach (var (name, rows) in expected)
        {
            var missing = rows.Except(actual[name]).Take(3).ToList();
            var unexpected = actual[name].Except(rows).Take(3).ToList();
            Assert.True(rows.SequenceEqual(actual[name]),
                $"seed {seed}, batches {string.Join(", ", batches)}: {name} differs from the full load " +
                $"({rows.Count} rows expected, {actual[name].Count} found); missing: {string.Join(" / ", missing)}; unexpected: {string.Join(" / ", unexpected)}");
        }
    }
}
