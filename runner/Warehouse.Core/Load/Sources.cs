namespace Warehouse.Core.Load;

/// <summary>One raw source: its name in SQL, its format name on the command line, its Avro record and staging table.</summary>
public sealed record Source(string Name, string Format, string AvroRecordName, string StagingTable);

/// <summary>The raw sources the warehouse knows (see models/*.avsc).</summary>
public static class Sources
{
    public static readonly Source HttpLog = new("http_log", "http-log", "warehouse.raw.HttpLogRequest", "staging.http_log");
    public static readonly Source WebshopEvents = new("webshop_events", "webshop-events", "warehouse.raw.WebshopEvent", "staging.webshop_events");
    public static readonly Source DeviceEvents = new("device_events", "device-events", "warehouse.raw.DeviceEvent", "staging.device_events");
    public static readonly Source Clickstream = new("clickstream", "clickstream-csv", "warehouse.raw.ClickstreamEvent", "staging.clickstream");
    /// <summary>Apache/nginx access logs; two formats (combined, and common without referrer and agent) load into one table.</summary>
    public static readonly Source AccessLog = new("access_log", "combined", "warehouse.raw.AccessLogRequest", "staging.access_log");

    public static IReadOnlyList<Source> All { get; } = [HttpLog, WebshopEvents, DeviceEvents, Clickstream, AccessLog];

    public static Source? ByAvroRecordName(string fullName) => All.FirstOrDefault(s => s.AvroRecordName == fullName);

    public static Source ByName(string name) =>
        All.FirstOrDefault(s => s.Name == name || s.Format == name)
        ?? throw new WarehouseException($"unknown source '{name}' (expected one of {string.Join(", ", All.Select(s => s.Name))})");
}
