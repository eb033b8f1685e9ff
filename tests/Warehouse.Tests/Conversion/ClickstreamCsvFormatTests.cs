using System.Text;
using Warehouse.Core;
using Warehouse.Core.Conversion;
using Warehouse.Core.Models;

namespace Warehouse.Tests.Conversion;

public sealed class ClickstreamCsvFormatTests
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0 Safari/537.36";

    private readonly ClickstreamCsvFormat _format = new("clicks.csv");

    [Fact]
    public void TryParse_ContractExample_QuotedUserAgentWithCommas()
    {
        var reason = _format.TryParse($"10.0.0.1,1554767994,P123,\"{Chrome}\",u42", 2, out var e);
        Assert.Null(reason);
        Assert.Equal(new ClickstreamEvent("u42", 1554767994_000000, "P123", "10.0.0.1", Chrome, "Chrome", "Windows", "Other",
            "clicks.csv", 2), e);
    }

    [Fact]
    public void TryParse_DoubledQuotesAndCommasInsideQuotes_AreUnescaped()
    {
        Assert.Null(_format.TryParse("\"10.0.0.1\",\"1554767994.25\",\"P,1\",\"say \"\"hi\"\", ok\",\"u\"", 2, out var e));
        Assert.Equal(("10.0.0.1", 1554767994_250000L, "P,1", "say \"hi\", ok", "u"), (e!.Ip, e.EventAtMicros, e.ProductId, e.UserAgent, e.UserId));
    }

    [Fact]
    public void TryParse_EmptyCells_AreNullAndNoAgentMeansNoFamilies()
    {
        Assert.Null(_format.TryParse(",1554767994,,,u1", 2, out var e));
        Assert.Equal(new ClickstreamEvent("u1", 1554767994_000000, null, null, null, null, null, null, "clicks.csv", 2), e);
    }

    [Theory]
    [InlineData("10.0.0.1,1554767994,P123,ua", "expected 5 comma-separated fields (ip,original_timestamp,productId,userAgent,userId), got 4")]
    [InlineData("10.0.0.1,1554767994,P123,ua,u,extra", "got 6")]
    [InlineData("10.0.0.1,1554767994,P123,\"ua, unterminated,u", "field 4 has an unterminated quote")]
    [InlineData("10.0.0.1,1554767994,P123,\"ua\"x,u", "field 4 has text after its closing quote")]
    [InlineData("10.0.0.1,1554767994,P123,ua \"quoted\",u", "field 4 has a quote but is not quoted")]
    [InlineData("10.0.0.1,1554767994,P123,ua,", "userId is empty")]
    [InlineData("10.0.0.1,,P123,ua,u", "original_timestamp is empty")]
    [InlineData("10.0.0.1,yesterday,P123,ua,u", "original_timestamp 'yesterday' is not epoch seconds")]
    public void TryParse_MalformedRow_IsRejectedWithReason(string line, string expectedReason)
    {
        var reason = _format.TryParse(line, 2, out var record);
        Assert.Null(record);
        Assert.NotNull(reason);
        Assert.Contains(expectedReason, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ip,original_timestamp,productId,userAgent,userId")]
    [InlineData("\"ip\",\"original_timestamp\",\"productId\",\"userAgent\",\"userId\"")]
    public void CheckHeader_ExpectedHeader_Passes(string header) => _format.CheckHeader(Encoding.UTF8.GetBytes(header));

    [Theory]
    [InlineData("ip,original_timestamp,productId,userId,userAgent")]
    [InlineData("10.0.0.1,1554767994,P123,ua,u42")]
    [InlineData("")]
    public void CheckHeader_OtherHeader_FailsNamingTheExpectedOne(string header)
    {
        var e = Assert.Throws<WarehouseException>(() => _format.CheckHeader(Encoding.UTF8.GetBytes(header)));
        Assert.Equal($"clicks.csv:1: expected header 'ip,original_timestamp,productId,userAgent,userId', found '{header}'", e.Message);
    }
}
