namespace Warehouse.Core.Models;

// One C# record per raw Avro schema (models/*.avsc), fields in the schema's order.
// Timestamps are what Avro stores: UTC microseconds since the Unix epoch (timestamp-micros).

/// <summary>A row of models/http_log.avsc (<c>warehouse.raw.HttpLogRequest</c>).</summary>
public sealed record HttpLogRequest(
    long EventAtMicros,
    string Method,
    string Path,
    string UserId,
    string SourceFile,
    long SourceLine);

/// <summary>A row of models/webshop_events.avsc (<c>warehouse.raw.WebshopEvent</c>).</summary>
public sealed record WebshopEvent(
    long EventId,
    string EventType,
    long EventAtMicros,
    string? CustomerId,
    string? UserAgent,
    string? Ip,
    string? BrowserFamily,
    string? OsFamily,
    string? DeviceFamily,
    string? Properties,
    string SourceFile,
    long SourceLine);

/// <summary>A row of models/device_events.avsc (<c>warehouse.raw.DeviceEvent</c>).</summary>
public sealed record DeviceEvent(
    string AnonymousId,
    long EventAtMicros,
    string? Name,
    string? BrowserFamily,
    string? OsFamily,
    string? DeviceFamily,
    string SourceFile,
    long SourceLine);

/// <summary>A row of models/clickstream.avsc (<c>warehouse.raw.ClickstreamEvent</c>).</summary>
public sealed record ClickstreamEvent(
    string UserId,
    long EventAtMicros,
    string? ProductId,
    string? Ip,
    string? UserAgent,
    string? BrowserFamily,
    string? OsFamily,
    string? DeviceFamily,
    string SourceFile,
    long SourceLine);

/// <summary>A row of models/access_log.avsc (<c>warehouse.raw.AccessLogRequest</c>), from the combined or common format.</summary>
public sealed record AccessLogRequest(
    string ClientAddress,
    string? Ident,
    string? AuthUser,
    long EventAtMicros,
    long UtcOffsetMinutes,
    string Request,
    string? Method,
    string? Path,
    string? QueryString,
    string? Protocol,
    long Status,
    long? ResponseBytes,
    string? Referrer,
    string? UserAgent,
    string? BrowserFamily,
    string? OsFamily,
    string? DeviceFamily,
    string SourceFile,
    long SourceLine);
