using System.Text.Json;
using Warehouse.Core.Generate;

namespace Warehouse.Tests.Generate;

/// <summary>One generated folder shared by the tests that only read it (100,000 HTTP-log events, seed 7).</summary>
public sealed class GeneratedData : IDisposable
{
    public const long Events = 100_000;
    public const ulong Seed = 7;

    public GeneratedData()
    {
        Folder = Directory.CreateTempSubdirectory("generate-").FullName;
        Files = DataGenerator.Generate(new GenerateOptions(Events, null, Seed, GenerateOptions.AllSources, Folder));
        Manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, DataGenerator.ManifestName)));
    }

    public string Folder { get; }

    public IReadOnlyList<GeneratedFile> Files { get; }

    public JsonDocument Manifest { get; }

    public JsonElement FileEntry(string name) => Manifest.RootElement.GetProperty("files").GetProperty(name);

    public long Expected(string file, string figure) => FileEntry(file).GetProperty("expected").GetProperty(figure).GetInt64();

    public long Count(string file, string figure) => FileEntry(file).GetProperty(figure).GetInt64();

    private readonly Dictionary<string, object> _cache = [];

    /// <summary>A value computed once per fixture (e.g. the parsed HTTP log), so tests do not each parse the file again.</summary>
    public T Cached<T>(string key, Func<T> compute) where T : notnull
    {
        lock (_cache)
        {
            if (!_cache.TryGetValue(key, out var value))
            {
                value = compute();
                _cache[key] = value;
            }
            return (T)value;
        }
    }

    public string[] Lines(string file) => File.ReadAllLines(Path.Combine(Folder, file));

    public void Dispose()
    {
        Manifest.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
