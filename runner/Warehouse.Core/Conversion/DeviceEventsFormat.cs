using System.Text.Json;
using Warehouse.Core.Avro;
using Warehouse.Core.Load;
using Warehouse.Core.Models;

namespace Warehouse.Core.Conversion;

/// <summary>
/// device-events: JSON lines <c>{"anonymous_id": "84CC...", "device_sent_timestamp": 1554767994401, "name":
/// "screen_view", "browser_family": "Chrome", "os_family": "Android", "device_family": "Samsung SM-G960F"}</c>.
/// The device reports its own families, so they are taken as sent; the timestamp is epoch milliseconds.
/// </summary>
public sealed class DeviceEventsFormat(string sourceFile) : JsonLinesFormat<DeviceEvent>(sourceFile)
{
    public override string Name => "device-events";

    public override Source Source => Sources.DeviceEvents;

    public override string SchemaJson => RawSchemas.Json(RawSchemas.DeviceEvents);

    public override void Write(DeviceEvent record, AvroEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(encoder);
        encoder.WriteString(record.AnonymousId);
        encoder.WriteLong(record.EventAtMicros);
        WriteNullableString(encoder, record.Name);
        WriteFamilies(encoder, record.BrowserFamily, record.OsFamily, record.DeviceFamily);
        encoder.WriteString(record.SourceFile);
        encoder.WriteLong(record.SourceLine);
    }

    protected override string? TryRead(JsonElement root, long lineNumber, out DeviceEvent? record)
    {
        record = null;
        string? reason;
        if ((reason = JsonLine.RequiredString(root, "", "anonymous_id", allowEmpty: false, out var anonymousId)) is not null ||
            (reason = JsonLine.RequiredLong(root, "", "device_sent_timestamp", out var sentMillis)) is not null ||
            (reason = JsonLine.OptionalString(root, "", "name", out var name)) is not null ||
            (reason = JsonLine.OptionalString(root, "", "browser_family", out var browser)) is not null ||
            (reason = JsonLine.OptionalString(root, "", "os_family", out var os)) is not null ||
            (reason = JsonLine.OptionalString(root, "", "device_family", out var device)) is not null)
        {
            return reason;
        }
        var problem = Timestamps.FromEpochMillis(sentMillis, out var eventAt);
        if (problem is not null)
        {
            return $"field 'device_sent_timestamp' {sentMillis} is not a usable epoch-milliseconds time ({problem})";
        }
        record = new DeviceEvent(anonymousId, eventAt, name, browser, os, device, SourceFile, lineNumber);
        return null;
    }
}
