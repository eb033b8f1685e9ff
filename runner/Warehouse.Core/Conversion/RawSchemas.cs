using System.Collections.Concurrent;

namespace Warehouse.Core.Conversion;

/// <summary>
/// The hand-written raw schemas (models/*.avsc), embedded in this assembly at build time so the executable finds
/// them wherever it runs; the files in models/ stay the one source of truth.
/// </summary>
public static class RawSchemas
{
    public const string HttpLog = "http_log.avsc";
    public const string WebshopEvents = "webshop_events.avsc";
    public const string DeviceEvents = "device_events.avsc";
    public const string Clickstream = "clickstream.avsc";
    public const string AccessLog = "access_log.avsc";

    private static readonly ConcurrentDictionary<string, string> Cache = new();

    /// <summary>The schema JSON of models/<paramref name="fileName"/>.</summary>
    public static string Json(string fileName) => Cache.GetOrAdd(fileName, static name =>
    {
        using var stream = typeof(RawSchemas).Assembly.GetManifestResourceStream("models/" + name)
            ?? throw new WarehouseException($"schema models/{name} is not embedded in Warehouse.Core");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
