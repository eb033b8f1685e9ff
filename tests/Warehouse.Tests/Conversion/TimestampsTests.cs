using System.Text;
using Warehouse.Core.Conversion;

namespace Warehouse.Tests.Conversion;

public sealed class TimestampsTests
{
    private static long Micros(string iso) => Timestamps.ToMicros(DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture));

    private static (string? Problem, long Micros) Parse(string text, bool naiveIsUtc = false, bool allowSpace = false)
    {
        var problem = Timestamps.TryParseIso(Encoding.UTF8.GetBytes(text), naiveIsUtc, allowSpace, out var micros);
        return (problem, micros);
    }

    [Theory]
    [InlineData("2019-08-27T00:07:05+00:00", "2019-08-27T00:07:05Z")]
    [InlineData("2019-08-27T00:07:05Z", "2019-08-27T00:07:05Z")]
    [InlineData("2019-08-27T05:37:05+05:30", "2019-08-27T00:07:05Z")]
    [InlineData("2019-08-26T16:07:05-08:00", "2019-08-27T00:07:05Z")]
    [InlineData("2019-08-26T16:07:05-0800", "2019-08-27T00:07:05Z")]
    [InlineData("2019-08-26T16:07:05-08", "2019-08-27T00:07:05Z")]
    [InlineData("2019-08-27T00:07Z", "2019-08-27T00:07:00Z")]
    [InlineData("2019-08-27T00:07:05.5Z", "2019-08-27T00:07:05.5Z")]
    [InlineData("2019-08-27T00:07:05.123456Z", "2019-08-27T00:07:05.123456Z")]
    [InlineData("2019-08-27T05:37:05.1234567+05:30", "2019-08-27T00:07:05.123457Z")]
    [InlineData("2019-08-27T00:07:05,25Z", "2019-08-27T00:07:05.25Z")]
    [InlineData("2020-02-29T23:59:59.9999996Z", "2020-03-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.5Z")]
    [InlineData("2019-01-01T00:30:00+01:00", "2018-12-31T23:30:00Z")]
    public void TryParseIso_WithOffsetsAndFractions_GivesUtcMicros(string text, string expectedUtc)
    {
        var (problem, micros) = Parse(text);
        Assert.Null(problem);
        Assert.Equal(Micros(expectedUtc), micros);
    }

    [Fact]
    public void TryParseIso_WhenNaiveAndAllowed_TakesItAsUtc()
    {
        var (problem, micros) = Parse("2022-04-28T07:38:46.290271", naiveIsUtc: true);
        Assert.Null(problem);
        Assert.Equal(new DateTime(2022, 4, 28, 7, 38, 46, DateTimeKind.Utc).AddTicks(2_902_710), Timestamps.ToDateTime(micros));
    }

    [Fact]
    public void TryParseIso_WhenSpaceSeparatorAllowed_AcceptsIt()
    {
        Assert.Null(Parse("2022-04-28 07:38:46", naiveIsUtc: true, allowSpace: true).Problem);
        Assert.NotNull(Parse("2022-04-28 07:38:46", naiveIsUtc: true, allowSpace: false).Problem);
    }

    [Theory]
    [InlineData("2019-13-01T00:00:00Z", "month 13")]
    [InlineData("2019-02-29T00:00:00Z", "day 29")]
    [InlineData("2019-04-31T00:00:00Z", "day 31")]
    [InlineData("2019-08-27T24:00:00Z", "hour 24")]
    [InlineData("2019-08-27T23:60:00Z", "minute 60")]
    [InlineData("2019-08-27T23:59:60Z", "second 60")]
    [InlineData("2019-08-27T00:07:05", "no UTC offset")]
    [InlineData("2019-08-27T00:07:05+5:30", "offset")]
    [InlineData("2019-08-27T00:07:05+24:00", "offset is out of range")]
    [InlineData("2019-08-27T00:07:05.Z", "digits after the decimal point")]
    [InlineData("2019-08-27T00:07:05.1234567890Z", "more than 9")]
    [InlineData("2019-08-27T00:07:05Zjunk", "unexpected text")]
    [InlineData("2019-08-27", "expected yyyy-MM-dd")]
    [InlineData("27/08/2019 00:07:05", "expected yyyy-MM-dd")]
    [InlineData("2019-08-27X00:07:05Z", "'T'")]
    [InlineData("20x9-08-27T00:07:05Z", "digits")]
    [InlineData("0000-01-01T00:00:00Z", "year 0000")]
    [InlineData("0001-01-01T00:00:00+01:00", "outside years")]
    public void TryParseIso_WhenMalformed_SaysWhatIsWrong(string text, string expectedProblem)
    {
        var (problem, _) = Parse(text);
        Assert.NotNull(problem);
        Assert.Contains(expectedProblem, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1554767994", 1554767994_000000L)]
    [InlineData("1554767994.5", 1554767994_500000L)]
    [InlineData("1554767994.1234565", 1554767994_123457L)]
    [InlineData("1.554767994E9", 1554767994_000000L)]
    [InlineData("-1.5", -1_500000L)]
    public void TryParseEpochSeconds_IntegerOrFraction_GivesMicros(string text, long expected)
    {
        Assert.Null(Timestamps.TryParseEpochSeconds(text, out var micros));
        Assert.Equal(expected, micros);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1e20")]
    [InlineData("0x10")]
    public void TryParseEpochSeconds_WhenNotAUsableNumber_IsAProblem(string text) =>
        Assert.NotNull(Timestamps.TryParseEpochSeconds(text, out _));

    [Fact]
    public void FromEpochMillis_ConvertsAndBoundsTheRange()
    {
        Assert.Null(Timestamps.FromEpochMillis(1554767994401, out var micros));
        Assert.Equal(new DateTime(2019, 4, 8, 23, 59, 54, 401, DateTimeKind.Utc), Timestamps.ToDateTime(micros));
        Assert.NotNull(Timestamps.FromEpochMillis(long.MaxValue, out _));
    }
}
