using Warehouse.Core.Conversion;
using Warehouse.Core.Models;

namespace Warehouse.Tests.Conversion;

public sealed class DeviceEventsFormatTests
{
    private readonly DeviceEventsFormat _format = new("devices.jsonl");

    [Fact]
    public void TryParse_FullEvent_TakesTheDevicesOwnFamilies()
    {
        var reason = _format.TryParse("""{"anonymous_id": "84CC", "device_sent_timestamp": 1554767994401, "name": "screen_view", "browser_family": "Chrome", "os_family": "Android", "device_family": "Samsung SM-G960F"}""", 2, out var e);
        Assert.Null(reason);
        Assert.Equal(new DeviceEvent("84CC", 1554767994401_000, "screen_view", "Chrome", "Android", "Samsung SM-G960F", "devices.jsonl", 2), e);
    }

    [Fact]
    public void TryParse_OptionalFieldsAbsentOrNull_AreNull()
    {
        Assert.Null(_format.TryParse("""{"anonymous_id": "a", "device_sent_timestamp": 0, "browser_family": null}""", 1, out var e));
        Assert.Equal(new DeviceEvent("a", 0, null, null, null, null, "devices.jsonl", 1), e);
    }

    [Theory]
    [InlineData("""{"device_sent_timestamp": 1}""", "missing field 'anonymous_id'")]
    [InlineData("""{"anonymous_id": "", "device_sent_timestamp": 1}""", "field 'anonymous_id' is empty")]
    [InlineData("""{"anonymous_id": 5, "device_sent_timestamp": 1}""", "field 'anonymous_id' must be a string, got a number")]
    [InlineData("""{"anonymous_id": "a"}""", "missing field 'device_sent_timestamp'")]
    [InlineData("""{"anonymous_id": "a", "device_sent_timestamp": "1554767994401"}""", "field 'device_sent_timestamp' must be an integer, got a string")]
    [InlineData("""{"anonymous_id": "a", "device_sent_timestamp": 1e300}""", "must be an integer, got a number '1e300'")]
    [InlineData("""{"anonymous_id": "a", "device_sent_timestamp": 9223372036854775807}""", "not a usable epoch-milliseconds time (outside years 0001-9999)")]
    [InlineData("""{"anonymous_id": "a", "device_sent_timestamp": 1, "name": 3}""", "field 'name' must be a string or null, got a number")]
    [InlineData("""{"anonymous_id": "a", "device_sent_timestamp": 1,}""", "invalid JSON: ")]
    [InlineData("""  "just a string" """, "expected a JSON object, got a string")]
    public void TryParse_BadLine_IsRejectedWithReason(string line, string expectedReason)
    {
        var reason = _format.TryParse(line, 1, out var record);
        Assert.Null(record);
        Assert.NotNull(reason);
        Assert.Contains(expectedReason, reason, StringComparison.Ordinal);
    }
}
