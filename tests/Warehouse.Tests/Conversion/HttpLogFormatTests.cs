using Warehouse.Core.Conversion;
using Warehouse.Core.Models;

namespace Warehouse.Tests.Conversion;

public sealed class HttpLogFormatTests
{
    private readonly HttpLogFormat _format = new("/data/in/http_log.txt");

    private HttpLogRequest Good(string line, long lineNumber = 1)
    {
        var reason = _format.TryParse(line, lineNumber, out var record);
        Assert.Null(reason);
        return record!;
    }

    private string Reject(string line)
    {
        var reason = _format.TryParse(line, 1, out var record);
        Assert.Null(record);
        return Assert.IsType<string>(reason);
    }

    [Fact]
    public void TryParse_PerxLine_GivesAllFieldsAndLineage()
    {
        var record = Good("2019-08-27T00:07:05+00:00 POST /rewards/1529 2000020076516", lineNumber: 7);
        Assert.Equal(new HttpLogRequest(Timestamps.ToMicros(new DateTimeOffset(2019, 8, 27, 0, 7, 5, TimeSpan.Zero)),
            "POST", "/rewards/1529", "2000020076516", "http_log.txt", 7), record);
    }

    [Theory]
    [InlineData("2019-08-27T05:37:05+05:30 GET /campaigns/1 u1")]
    [InlineData("2019-08-26T16:07:05-08:00 GET /campaigns/1 u1")]
    [InlineData("2019-08-27T00:07:05Z GET /campaigns/1 u1")]
    [InlineData("2019-08-27T00:07:05.000000Z GET /campaigns/1 u1")]
    public void TryParse_AnyOffset_IsTheSameUtcInstant(string line) =>
        Assert.Equal(Timestamps.ToMicros(new DateTimeOffset(2019, 8, 27, 0, 7, 5, TimeSpan.Zero)), Good(line).EventAtMicros);

    [Fact]
    public void TryParse_FractionOfSevenDigits_IsRoundedToMicros() =>
        Assert.Equal(123457, Good("1970-01-01T00:00:00.1234567Z GET / u").EventAtMicros);

    [Fact]
    public void TryParse_RunsOfSpacesAndTabs_SeparateLikeOneSpace() =>
        Assert.Equal("/a", Good("  2019-08-27T00:07:05Z \t GET   /a u1  ").Path);

    [Fact]
    public void TryParse_NonAsciiPath_IsKeptAsWritten() => Assert.Equal("/café/ü", Good("2019-08-27T00:07:05Z GET /café/ü u1").Path);

    [Theory]
    [InlineData("2019-08-27T00:07:05+00:00 POST /rewards/1529", "expected 4 space-separated fields (timestamp method path user_id), got 3")]
    [InlineData("2019-08-27T00:07:05+00:00 POST /rewards/1529 200 extra", "got 5")]
    [InlineData("garbage", "got 1")]
    [InlineData("2019-13-01T00:00:00Z GET / u", "timestamp '2019-13-01T00:00:00Z' is not ISO-8601 (month 13 is out of range)")]
    [InlineData("2019-08-27T00:07:05 GET / u", "is not ISO-8601 (no UTC offset")]
    [InlineData("27/Aug/2019:00:07:05 GET / u", "timestamp '27/Aug/2019:00:07:05' is not ISO-8601")]
    [InlineData("2019-08-27T00:07:05Z get / u", "method 'get' is not an HTTP method")]
    [InlineData("2019-08-27T00:07:05Z /rewards/1 POST u", "method '/rewards/1' is not an HTTP method")]
    public void TryParse_BadLine_IsRejectedWithReason(string line, string expectedReason) =>
        Assert.Contains(expectedReason, Reject(line), StringComparison.Ordinal);

    [Fact]
    public void TryParse_InvalidUtf8_IsRejected()
    {
        byte[] line = [.. "2019-08-27T00:07:05Z GET /"u8, 0xC3, 0x28, .. " u1"u8];
        Assert.Equal("line is not valid UTF-8", _format.TryParse(line, 1, out _));
    }

    [Fact]
    public void TryParse_VeryLongGarbageTimestamp_IsQuotedShortened()
    {
        var reason = Reject(new string('9', 500) + " GET / u");
        Assert.True(reason.Length < 150, reason);
        Assert.Contains("...'", reason, StringComparison.Ordinal);
    }
}
