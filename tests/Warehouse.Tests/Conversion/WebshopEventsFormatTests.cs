using Warehouse.Core.Conversion;

namespace Warehouse.Tests.Conversion;

public sealed class WebshopEventsFormatTests
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0 Safari/537.36";

    private readonly WebshopEventsFormat _format = new("webshop.jsonl");

    private Warehouse.Core.Models.WebshopEvent Good(string line)
    {
        var reason = _format.TryParse(line, 3, out var record);
        Assert.Null(reason);
        return record!;
    }

    [Fact]
    public void TryParse_SearchEvent_SplitsCommonFieldsFromProperties()
    {
        var e = Good($$$"""{"id": 463469, "type": "search", "event": {"user-agent": "{{{Chrome}}}", "ip": "1.2.3.4", "customer-id": 5326, "timestamp": "2022-04-28T07:38:46.290271", "query": "shoes"}}""");
        Assert.Equal(463469, e.EventId);
        Assert.Equal("search", e.EventType);
        Assert.Equal(new DateTime(2022, 4, 28, 7, 38, 46, DateTimeKind.Utc).AddTicks(2_902_710), Timestamps.ToDateTime(e.EventAtMicros));
        Assert.Equal("5326", e.CustomerId);
        Assert.Equal(Chrome, e.UserAgent);
        Assert.Equal("1.2.3.4", e.Ip);
        Assert.Equal(("Chrome", "Windows", "Other"), (e.BrowserFamily, e.OsFamily, e.DeviceFamily));
        Assert.Equal("""{"query":"shoes"}""", e.Properties);
        Assert.Equal(("webshop.jsonl", 3L), (e.SourceFile, e.SourceLine));
    }

    [Fact]
    public void TryParse_PlacedOrder_KeepsNestedPropertiesCompactWithKeysAsWritten()
    {
        var e = Good("""{"id": 1, "type": "placed_order", "event": {"timestamp": "2022-04-28T07:38:46", "order": {"order-id": 7, "total": 12.50, "items": ["a", "b"]}, "note": "<é>"}}""");
        Assert.Equal("""{"order":{"order-id":7,"total":12.50,"items":["a","b"]},"note":"<é>"}""", e.Properties);
        Assert.Null(e.CustomerId);
        Assert.Null(e.UserAgent);
        Assert.Null(e.BrowserFamily);
    }

    [Fact]
    public void TryParse_NoTypeSpecificFields_HasNullProperties() =>
        Assert.Null(Good("""{"id": 1, "type": "page_view", "event": {"timestamp": "2022-04-28T07:38:46"}}""").Properties);

    [Theory]
    [InlineData("\"customer-id\": \"1234\"", "1234")]
    [InlineData("\"customer-id\": 1234", "1234")]
    [InlineData("\"customer-id\": null", null)]
    [InlineData("\"other\": 1", null)]
    public void TryParse_CustomerId_IsTheTokenAsWritten(string member, string? expected) =>
        Assert.Equal(expected, Good($$$"""{"id": 1, "type": "x", "event": {"timestamp": "2022-04-28T07:38:46", {{{member}}}}}""").CustomerId);

    [Theory]
    [InlineData("2022-04-28T09:38:46+02:00")]
    [InlineData("2022-04-28T07:38:46Z")]
    [InlineData("2022-04-28 07:38:46")]
    public void TryParse_OffsetIsHonouredAndNaiveIsUtc(string timestamp) =>
        Assert.Equal(new DateTime(2022, 4, 28, 7, 38, 46, DateTimeKind.Utc),
            Timestamps.ToDateTime(Good($$$"""{"id": 1, "type": "x", "event": {"timestamp": "{{{timestamp}}}"}}""").EventAtMicros));

    [Fact]
    public void TryParse_EmptyUserAgent_IsOtherNotNull()
    {
        var e = Good("""{"id": 1, "type": "x", "event": {"timestamp": "2022-04-28T07:38:46", "user-agent": ""}}""");
        Assert.Equal(("", "Other", "Other", "Other"), (e.UserAgent, e.BrowserFamily, e.OsFamily, e.DeviceFamily));
    }

    [Theory]
    [InlineData("""{"id": 1, "type": "x", "event": {"timestamp": "2022-04-28T07:38:46"}""", "invalid JSON: ")]
    [InlineData("""not json""", "invalid JSON: ")]
    [InlineData("""{"id": 1, "type": "x", "event": {"timestamp": "2022-04-28T07:38:46"}} {}""", "invalid JSON: ")]
    [InlineData("""[1, 2]""", "expected a JSON object, got an array")]
    [InlineData("""{"type": "x", "event": {"timestamp": "2022-04-28T07:38:46"}}""", "missing field 'id'")]
    [InlineData("""{"id": "1", "type": "x", "event": {"timestamp": "2022-04-28T07:38:46"}}""", "field 'id' must be an integer, got a string '\"1\"'")]
    [InlineData("""{"id": 1.5, "type": "x", "event": {"timestamp": "2022-04-28T07:38:46"}}""", "field 'id' must be an integer, got a number '1.5'")]
    [InlineData("""{"id": 1, "event": {"timestamp": "2022-04-28T07:38:46"}}""", "missing field 'type'")]
    [InlineData("""{"id": 1, "type": "", "event": {"timestamp": "2022-04-28T07:38:46"}}""", "field 'type' is empty")]
    [InlineData("""{"id": 1, "type": "x"}""", "missing field 'event'")]
    [InlineData("""{"id": 1, "type": "x", "event": "e"}""", "field 'event' must be an object, got a string")]
    [InlineData("""{"id": 1, "type": "x", "event": {}}""", "missing field 'event.timestamp'")]
    [InlineData("""{"id": 1, "type": "x", "event": {"timestamp": "2022-13-28T07:38:46"}}""", "field 'event.timestamp' '2022-13-28T07:38:46' is not ISO-8601 (month 13")]
    [InlineData("""{"id": 1, "type": "x", "event": {"timestamp": "2022-04-28T07:38:46", "ip": 5}}""", "field 'event.ip' must be a string or null, got a number")]
    [InlineData("""{"id": 1, "type": "x", "event": {"timestamp": "2022-04-28T07:38:46", "user-agent": []}}""", "field 'event.user-agent' must be a string or null")]
    [InlineData("""{"id": 1, "type": "x", "event": {"timestamp": "2022-04-28T07:38:46", "customer-id": {}}}""", "field 'event.customer-id' must be a number, a string or null, got an object")]
    public void TryParse_BadLine_IsRejectedWithReason(string line, string expectedReason)
    {
        var reason = _format.TryParse(line, 1, out var record);
        Assert.Null(record);
        Assert.NotNull(reason);
        Assert.Contains(expectedReason, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_DeeplyNestedJson_IsRejectedNotCrashed()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000));
        var reason = _format.TryParse($$$"""{"id": 1, "type": "x", "event": {"timestamp": "2022-04-28T07:38:46", "p": {{{deep}}}}}""", 1, out _);
        Assert.StartsWith("invalid JSON: ", reason, StringComparison.Ordinal);
    }
}
