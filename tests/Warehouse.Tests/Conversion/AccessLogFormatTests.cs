using System.Text;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Models;

namespace Warehouse.Tests.Conversion;

/// <summary>Apache/nginx access logs (combined, common), line by line as real servers write them.</summary>
public sealed class AccessLogFormatTests
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    private const string Googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    private readonly AccessLogFormat _combined = new("/var/log/apache2/access.log", combined: true);
    private readonly AccessLogFormat _common = new("/var/log/apache2/access.log", combined: false);

    private static AccessLogRequest Good(AccessLogFormat format, string line, long lineNumber = 1)
    {
        var reason = format.TryParse(line, lineNumber, out var record);
        Assert.Null(reason);
        // the fast path (spans straight into Avro) writes exactly what the record path writes
        Assert.Equal(Encode(e => format.Write(record!, e)), Encode(e => Assert.Null(format.TryWrite(Encoding.UTF8.GetBytes(line), lineNumber, e))));
        return record!;
    }

    private AccessLogRequest Good(string line, long lineNumber = 1) => Good(_combined, line, lineNumber);

    private static string Reject(AccessLogFormat format, string line)
    {
        var reason = format.TryParse(line, 1, out var record);
        Assert.Null(record);
        var encoder = new AvroEncoder();
        Assert.Equal(reason, format.TryWrite(Encoding.UTF8.GetBytes(line), 1, encoder));
        return Assert.IsType<string>(reason);
    }

    private static byte[] Encode(Action<AvroEncoder> write)
    {
        var encoder = new AvroEncoder();
        write(encoder);
        return encoder.WrittenSpan.ToArray();
    }

    private static long Utc(int year, int month, int day, int hour, int minute, int second) =>
        Timestamps.ToMicros(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero));

    private static string Line(string request = "GET / HTTP/1.1", string rest = $"200 512 \"-\" \"{Chrome}\"",
        string host = "203.0.113.7", string user = "-", string time = "10/Oct/2023:13:55:36 +0000") =>
        $"{host} - {user} [{time}] \"{request}\" {rest}";

    [Fact]
    public void TryParse_CombinedLine_GivesEveryFieldAndLineage()
    {
        var record = Good("203.0.113.7 - - [10/Oct/2023:13:55:36 +0000] \"GET /blog/post?id=7 HTTP/1.1\" 200 2326 " +
            $"\"https://www.google.com/\" \"{Chrome}\"", lineNumber: 42);
        Assert.Equal(new AccessLogRequest("203.0.113.7", null, null, Utc(2023, 10, 10, 13, 55, 36), 0,
            "GET /blog/post?id=7 HTTP/1.1", "GET", "/blog/post", "id=7", "HTTP/1.1", 200, 2326,
            "https://www.google.com/", Chrome, "Chrome", "Windows", "Other", "access.log", 42), record);
    }

    [Theory]
    [InlineData("+0200", 11, 120)]
    [InlineData("-0700", 20, -420)]
    [InlineData("+0530", 8, 330)]
    public void TryParse_Offset_GivesTheUtcInstantAndKeepsTheOffsetInMinutes(string zone, int utcHour, int offsetMinutes)
    {
        var record = Good(Line(time: $"10/Oct/2023:13:55:36 {zone}"));
        var minute = zone == "+0530" ? 25 : 55;
        Assert.Equal(Utc(2023, 10, 10, utcHour, minute, 36), record.EventAtMicros);
        Assert.Equal(offsetMinutes, record.UtcOffsetMinutes);
    }

    [Fact]
    public void TryParse_OffsetAcrossMidnightAndNewYear_MovesTheDate() =>
        Assert.Equal(Utc(2024, 1, 1, 6, 30, 0), Good(Line(time: "31/Dec/2023:23:30:00 -0700")).EventAtMicros);

    [Fact]
    public void TryParse_EscapedQuotesAndBackslashes_AreUndoneInRequestReferrerAndAgent()
    {
        var record = Good(Line(request: @"GET /search?q=\""a\\b\"" HTTP/1.1",
            rest: @"200 10 ""https://example.com/?q=\""x\"""" ""Mozilla/5.0 \""quoted\"" \\ agent"""));
        Assert.Equal("GET /search?q=\"a\\b\" HTTP/1.1", record.Request);
        Assert.Equal("/search", record.Path);
        Assert.Equal("q=\"a\\b\"", record.QueryString);
        Assert.Equal("https://example.com/?q=\"x\"", record.Referrer);
        Assert.Equal("Mozilla/5.0 \"quoted\" \\ agent", record.UserAgent);
    }

    [Fact]
    public void TryParse_NginxHexEscapes_AreUndoneForTextAndUtf8AndKeptForOtherBytes()
    {
        // nginx writes a quote as \x22; é in UTF-8 is \xC3\xA9; \xE4\xE5 is Windows-1251 (not UTF-8) and stays as logged
        var record = Good(Line(request: @"GET /caf\xC3\xA9 HTTP/1.1", rest: @"200 10 ""http://\xE4\xE5.ru/"" ""say \x22hi\x22"""));
        Assert.Equal("/café", record.Path);
        Assert.Equal(@"http://\xE4\xE5.ru/", record.Referrer);
        Assert.Equal("say \"hi\"", record.UserAgent);
    }

    [Theory]
    [InlineData("2001:db8:85a3::8a2e:370:7334")]
    [InlineData("::1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("crawl-66-249-66-1.googlebot.com")]
    public void TryParse_IPv6OrHostName_IsTheClientAddressAsLogged(string host) =>
        Assert.Equal(host, Good(Line(host: host)).ClientAddress);

    [Fact]
    public void TryParse_DashFields_AreNull()
    {
        var record = Good(Line(rest: "304 - \"-\" \"-\""));
        Assert.Equal(304, record.Status);
        Assert.Null(record.ResponseBytes);
        Assert.Null(record.Referrer);
        Assert.Null(record.UserAgent);
        Assert.Equal((null, null, null), (record.BrowserFamily, record.OsFamily, record.DeviceFamily));
        Assert.Null(record.Ident);
        Assert.Null(record.AuthUser);
    }

    [Fact]
    public void TryParse_AuthenticatedUserAndIdent_AreKept()
    {
        var record = Good("192.0.2.1 ident-x frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 \"-\" \"-\"");
        Assert.Equal("ident-x", record.Ident);
        Assert.Equal("frank", record.AuthUser);
    }

    [Theory]
    [InlineData(@"\x16\x03\x01\x00\xA5\x01\x00\x00\xA1\x03\x03", 400)]   // a TLS handshake sent to a plain-HTTP port
    [InlineData("-", 408)]                                                 // the client sent nothing before the timeout
    [InlineData("GET", 400)]                                               // a lone method
    [InlineData("GET /", 200)]                                             // HTTP/0.9: no protocol
    [InlineData("GET /a b HTTP/1.1", 400)]                                 // a space in the target
    [InlineData("get / HTTP/1.1", 400)]                                    // methods are upper case
    [InlineData("GET / SSH-2.0", 400)]                                     // not HTTP
    public void TryParse_RequestThatIsNotMethodTargetProtocol_IsARecordWithTheRequestKeptWhole(string request, int status)
    {
        var record = Good(Line(request: request, rest: $"{status} 226 \"-\" \"-\""));
        Assert.Equal(request, record.Request);
        Assert.Equal(status, record.Status);
        Assert.Equal((null, null, null, null), (record.Method, record.Path, record.QueryString, record.Protocol));
    }

    [Theory]
    [InlineData("/search?q=shoes&utm_source=news", "/search", "q=shoes&utm_source=news")]
    [InlineData("/a?b?c", "/a", "b?c")]
    [InlineData("/empty?", "/empty", "")]
    [InlineData("/plain", "/plain", null)]
    [InlineData("*", "*", null)]
    public void TryParse_Target_IsSplitIntoPathAndQueryStringAtTheFirstQuestionMark(string target, string path, string? query)
    {
        var record = Good(Line(request: $"OPTIONS {target} HTTP/2.0"));
        Assert.Equal(("OPTIONS", path, query, "HTTP/2.0"), (record.Method, record.Path, record.QueryString, record.Protocol));
    }

    [Fact]
    public void TryParse_CommonLine_HasNoReferrerAgentOrFamilies()
    {
        var record = Good(_common, "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326", 3);
        Assert.Equal(new AccessLogRequest("127.0.0.1", null, "frank", Utc(2000, 10, 10, 20, 55, 36), -420,
            "GET /apache_pb.gif HTTP/1.0", "GET", "/apache_pb.gif", null, "HTTP/1.0", 200, 2326,
            null, null, null, null, null, "access.log", 3), record);
    }

    [Fact]
    public void TryParse_CommonLineAsCombined_IsRejectedSuggestingTheCommonFormat() =>
        Assert.Equal("the line ends after the bytes: no referrer and user agent (a line of the common format?)",
            Reject(_combined, "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326"));

    [Fact]
    public void TryParse_FieldsAfterTheFormatsLast_AreIgnored()
    {
        // nginx configurations often append "$http_x_forwarded_for" or a request time
        Assert.Equal(Chrome, Good(Line(rest: $"200 5 \"-\" \"{Chrome}\" \"198.51.100.9\" 0.004")).UserAgent);
        Assert.Null(Good(_common, Line()).UserAgent);
    }

    [Fact]
    public void TryParse_BotAgent_GetsTheSpiderDeviceFromTheRuleTable()
    {
        var record = Good(Line(rest: $"200 5 \"-\" \"{Googlebot}\""));
        Assert.Equal(("Googlebot", "Spider"), (record.BrowserFamily, record.DeviceFamily));
    }

    [Theory]
    [InlineData("hello world", "not an access log line (expected host ident authuser [dd/Mon/yyyy:HH:mm:ss ±hhmm] \"request\" status bytes \"referer\" \"user-agent\")")]
    [InlineData("2019-08-27T00:07:05+00:00 POST /rewards/1529 2000020076516", "not an access log line (expected host ident authuser [dd/Mon/yyyy:HH:mm:ss ±hhmm] \"request\" status bytes \"referer\" \"user-agent\"): no [time] after host, ident and authuser")]
    [InlineData("1.2.3.4 - - [10/Foo/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"", "time '10/Foo/2023:13:55:36 +0000' is not dd/Mon/yyyy:HH:mm:ss ±hhmm (the month is not one of Jan, Feb, ..., Dec)")]
    [InlineData("1.2.3.4 - - [31/Feb/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"", "time '31/Feb/2023:13:55:36 +0000' is not dd/Mon/yyyy:HH:mm:ss ±hhmm (day 31 is out of range for 2023-02)")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"", "time '10/Oct/2023:13:55:36' is not dd/Mon/yyyy:HH:mm:ss ±hhmm (expected dd/Mon/yyyy:HH:mm:ss ±hhmm)")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000 \"GET / HTTP/1.1\" 200 1", "the [time] has no closing ']'")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] GET / HTTP/1.1 200 1 \"-\" \"-\"", "expected a space and the quoted request after the [time]")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1 200 1", "the request has no closing quote")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" OK 1 \"-\" \"-\"", "status 'OK' is not a 3-digit HTTP status")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200", "the line ends after the status: no bytes")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 12kB \"-\" \"-\"", "bytes '12kB' is neither a number nor '-'")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 - \"-\"", "expected a space and the quoted referrer after the bytes")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 \"-\"", "expected a space and the quoted user agent after the referrer")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"Mozilla/5.0 (cut", "the user agent has no closing quote")]
    [InlineData("1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"y", "unexpected text right after the quoted user agent")]
    public void TryParse_LineThatIsNotALogLine_IsRejectedWithTheReason(string line, string reason) =>
        Assert.Equal(reason, Reject(_combined, line));

    [Fact]
    public void TryWrite_InvalidUtf8_IsRejected() =>
        Assert.Equal("line is not valid UTF-8", _combined.TryWrite([.. Encoding.UTF8.GetBytes(Line()), 0xFF], 1, new AvroEncoder()));

    [Theory]
    [InlineData("combined", "combined")]
    [InlineData("apache", "combined")]
    [InlineData("nginx", "combined")]
    [InlineData("common", "common")]
    public void Create_FormatName_GivesTheAccessLogFormat(string name, string expected)
    {
        var format = Assert.IsType<AccessLogFormat>(RawFormat.Create(name, "access.log"));
        Assert.Equal(expected, format.Name);
        Assert.Contains(name, RawFormat.Names);
    }

    [Theory]
    [InlineData("203.0.113.7 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"", "combined")]
    [InlineData("203.0.113.7 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 5", "common")]
    [InlineData("2019-08-27T00:07:05+00:00 POST /rewards/1529 2000020076516", null)]
    [InlineData("ip,original_timestamp,productId,userAgent,userId", null)]
    public void Detect_FirstLine_NamesItsFormat(string line, string? format) =>
        Assert.Equal(format, AccessLogFormat.Detect(Encoding.UTF8.GetBytes(line)));
}
