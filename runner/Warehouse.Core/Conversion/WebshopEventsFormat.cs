using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Warehouse.Core.Avro;
using Warehouse.Core.Load;
using Warehouse.Core.Models;

namespace Warehouse.Core.Conversion;

/// <summary>
/// webshop-events: JSON lines <c>{"id": 463469, "type": "search", "event": {"user-agent": ..., "ip": ...,
/// "customer-id": 5326, "timestamp": "2022-04-28T07:38:46.290271", "query": "shoes"}}</c>. The four common fields of
/// the nested event become columns; every other field of it (page, query, product, order...) is kept, compact, in
/// properties. A naive timestamp is UTC; an offset is honoured.
/// </summary>
public sealed class WebshopEventsFormat(string sourceFile) : JsonLinesFormat<WebshopEvent>(sourceFile)
{
    private static readonly JsonWriterOptions PropertiesOptions = new()
    {
        // Keep text as written (no \u00e9 for é, no \u003C for <): the column is read back by SQL, not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private static readonly HashSet<string> CommonEventFields = new(StringComparer.Ordinal)
    {
        "user-agent", "ip", "customer-id", "timestamp",
    };

    private readonly UserAgentCache _userAgents = new();
    private readonly ArrayBufferWriter<byte> _properties = new(256);

    public override string Name => "webshop-events";

    public override Source Source => Sources.WebshopEvents;

    public override string SchemaJson => RawSchemas.Json(RawSchemas.WebshopEvents);

    public override void Write(WebshopEvent record, AvroEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(encoder);
        encoder.WriteLong(record.EventId);
        encoder.WriteString(record.EventType);
        encoder.WriteLong(record.EventAtMicros);
        WriteNullableString(encoder, record.CustomerId);
        WriteNullableString(encoder, record.UserAgent);
        WriteNullableString(encoder, record.Ip);
        WriteFamilies(encoder, record.BrowserFamily, record.OsFamily, record.DeviceFamily);
        WriteNullableString(encoder, record.Properties);
        encoder.WriteString(record.SourceFile);
        encoder.WriteLong(record.SourceLine);
    }

    protected override string? TryRead(JsonElement root, long lineNumber, out WebshopEvent? record)
    {
        record = null;
        string? reason;
        if ((reason = JsonLine.RequiredLong(root, "", "id", out var id)) is not null ||
            (reason = JsonLine.RequiredString(root, "", "type", allowEmpty: false, out var type)) is not null)
        {
            return reason;
        }
        if (!root.TryGetProperty("event", out var evt) || evt.ValueKind == JsonValueKind.Null)
        {
            return "missing field 'event'";
        }
        if (evt.ValueKind != JsonValueKind.Object)
        {
            return $"field 'event' must be an object, got {JsonLine.Kind(evt)}";
        }
        if ((reason = JsonLine.RequiredString(evt, "event.", "timestamp", allowEmpty: false, out var timestamp)) is not null ||
            (reason = JsonLine.OptionalString(evt, "event.", "user-agent", out var userAgent)) is not null ||
            (reason = JsonLine.OptionalString(evt, "event.", "ip", out var ip)) is not null ||
            (reason = CustomerId(evt, out var customerId)) is not null)
        {
            return reason;
        }
        var problem = Timestamps.TryParseIso(timestamp, naiveIsUtc: true, allowSpaceSeparator: true, out var eventAt);
        if (problem is not null)
        {
            return $"field 'event.timestamp' {Quote(timestamp)} is not ISO-8601 ({problem})";
        }
        var (browser, os, device) = _userAgents.Classify(userAgent);
        record = new WebshopEvent(id, type, eventAt, customerId, userAgent, ip, browser, os, device, Properties(evt),
            SourceFile, lineNumber);
        return null;
    }

    /// <summary>customer-id as written: a number's own text (5326 stays "5326"), a string's value; null if absent.</summary>
    private static string? CustomerId(JsonElement evt, out string? customerId)
    {
        customerId = null;
        if (!evt.TryGetProperty("customer-id", out var element))
        {
            return null;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number:
                customerId = element.GetRawText();
                return null;
            case JsonValueKind.String:
                customerId = element.GetString();
                return null;
            default:
                return $"field 'event.customer-id' must be a number, a string or null, got {JsonLine.Kind(element)}";
        }
    }

    /// <summary>The event's type-specific fields as one compact JSON object, or null when it has none.</summary>
    private string? Properties(JsonElement evt)
    {
        _properties.ResetWrittenCount();
        var any = false;
        using (var writer = new Utf8JsonWriter(_properties, PropertiesOptions))
        {
            writer.WriteStartObject();
            foreach (var property in evt.EnumerateObject())
            {
                if (!CommonEventFields.Contains(property.Name))
                {
                    property.WriteTo(writer);
                    any = true;
                }
            }
            writer.WriteEndObject();
        }
        return any ? Encoding.UTF8.GetString(_properties.WrittenSpan) : null;
    }
}
