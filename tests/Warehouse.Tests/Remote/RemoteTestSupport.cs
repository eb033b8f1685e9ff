using System.IO.Compression;
using Warehouse.Core.Migrations;
using Warehouse.Core.Pipeline;
using Warehouse.Core.Remote;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Remote;

internal sealed class NoProgress : IRunProgress
{
    public void Stage(string name) { }
    public IProgress<long> Bytes(string what, long total) => new Progress<long>();
    public void Done(string what) { }
}

internal static class RemoteTestSupport
{
    public static string Sample => Path.Combine(TestDatabase.RepoRoot, "seeds", "sample");

    public static byte[] SampleBytes(string name) => File.ReadAllBytes(Path.Combine(Sample, name));

    public static byte[] Gzip(byte[] plain)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(plain);
        }
        return output.ToArray();
    }

    /// <summary>Short delays so retry tests take milliseconds, not seconds.</summary>
    public static RemoteOptions FastRetries(RemoteOptions? options = null) =>
        (options ?? new RemoteOptions()) with { RetryDelay = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(20) };

    public static Task<RunSummary> RunAsync(string db, string input, string work, RemoteOptions? remote = null, TextWriter? log = null) =>
        new RunPipeline(db, log ?? TextWriter.Null, new NoProgress()).RunAsync(new RunOptions
        {
            InputDirectory = input,
            ExpectedDirectory = null,
            WorkDirectory = work,
            Migrations = new MigrationOptions { Directory = TestDatabase.MigrationsDirectory },
            Remote = FastRetries(remote),
        });

    /// <summary>The marts of seeds/sample read from local files: what every remote reading must reproduce.</summary>
    public static async Task<Dictionary<string, List<string>>> LocalSampleMartsAsync(string name)
    {
        var db = await TestDatabase.CreateEmptyAsync(name);
        var work = Directory.CreateTempSubdirectory("remote-local-").FullName;
        try
        {
            await RunAsync(db, Sample, work);
            return await MartSnapshot.TakeAsync(db);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
