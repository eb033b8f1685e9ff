using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Warehouse.Core.Pipeline;
using Warehouse.Tests.Conversion;
using Warehouse.Tests.Infrastructure;
using CliProcess = Warehouse.Tests.Infrastructure.Cli;

namespace Warehouse.Tests.Pipeline;

/// <summary>Access logs in <c>run --input</c>: recognised by name or, for any other name, by their first line; the real file loads whole.</summary>
[Trait("Speed", "slow")] // the CLI as a process, and Python over the real access log
public sealed partial class AccessLogInputTests : IDisposable
{
    private const string CombinedLine = "203.0.113.7 - - [10/Oct/2023:13:55:36 +0200] \"GET /a?utm_source=x HTTP/1.1\" 200 5 \"-\" \"curl/8.0\"\n";
    private const string CommonLine = "203.0.113.7 - frank [10/Oct/2023:13:55:36 -0700] \"GET / HTTP/1.0\" 404 -\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("access-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private InputFile Single(string name) => Assert.Single(InputDiscovery.Scan(_dir), i => i.Name == name);

    [Theory]
    [InlineData("access.log")]
    [InlineData("access.log.1")]
    [InlineData("access.log.2.gz")]
    [InlineData("ACCESS.LOG")]
    [InlineData("access_log")]
    [InlineData("access_log-20240101")]
    [InlineData("access_log.gz")]
    [InlineData("www.example.com.access.log")]
    [InlineData("shop.access.log.3.gz")]
    public void Scan_AccessLogName_IsCombinedUnlessItsFirstLineIsCommon(string name)
    {
        Write(name, "not even a log line\n");
        Assert.Equal((InputKind.Raw, "combined"), (Single(name).Kind, Single(name).Format));
    }

    [Theory]
    [InlineData("access_log", CommonLine)]
    [InlineData("access.log.1", "\n" + CommonLine + CommonLine)]
    public void Scan_AccessLogNameWhoseLinesAreCommon_IsCommon(string name, string content)
    {
        // Apache's stock httpd.conf writes logs/access_log in the common format
        Write(name, content);
        Assert.Equal((InputKind.Raw, "common"), (Single(name).Kind, Single(name).Format));
    }

    /// <summary>A combined line also reads as common: one common line first must not make a combined log common (which
    /// would drop every referrer and agent without a word).</summary>
    [Theory]
    [InlineData("access.log")]
    [InlineData("site.log")]
    public void Scan_OneCommonLineBeforeCombinedLines_IsCombined(string name)
    {
        Write(name, CommonLine + "\n" + CombinedLine + "\n" + CombinedLine + "\n");

        Assert.Equal((InputKind.Raw, "combined"), (Single(name).Kind, Single(name).Format));
    }

    [Fact]
    public void Scan_AvroNamedLikeAnAccessLog_IsAvro()
    {
        Write("access_log_2024.avro", "");
        Assert.Equal(InputKind.Avro, Single("access_log_2024.avro").Kind);
    }

    [Theory]
    [InlineData("ssl_request.txt", CombinedLine, "combined")]
    [InlineData("other_vhosts.log", "\n  \n" + CombinedLine, "combined")]
    [InlineData("crlf.log", "\r\n" + CombinedLine + "\r\n", "combined")]
    [InlineData("old-server.log", CommonLine + "garbage after the first line\n", "common")]
    public void Scan_OtherNameWhoseFirstLineIsALogLine_IsLoadedInThatFormat(string name, string content, string format)
    {
        Write(name, content);
        Assert.Equal((InputKind.Raw, format, (string?)null), (Single(name).Kind, Single(name).Format, Single(name).SkipReason));
    }

    [Fact]
    public void Scan_GzipWhoseFirstLineIsALogLine_IsCombined()
    {
        var path = Path.Combine(_dir, "logs-2024-01-01.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(CombinedLine));
        }
        Assert.Equal((InputKind.Raw, "combined"), (Single("logs-2024-01-01.gz").Kind, Single("logs-2024-01-01.gz").Format));
    }

    [Theory]
    [InlineData("notes.md", "not data\n" + CombinedLine)]
    [InlineData("perx.log", "2019-08-27T00:07:05+00:00 POST /rewards/1529 2000020076516\n")]
    [InlineData("empty.log", "")]
    [InlineData("broken.gz", "not gzip at all")]
    public void Scan_OtherNameWhoseFirstLineIsNoLogLine_IsSkippedSayingBothWereLookedAt(string name, string content)
    {
        Write(name, content);
        Assert.Equal((InputKind.Skipped, InputDiscovery.UnrecognisedNameOrContent), (Single(name).Kind, Single(name).SkipReason));
    }

    [Fact]
    public void RecognisedNames_ListsTheAccessLogNamesAndTheSniffing()
    {
        Assert.Contains("access.log*, access_log*, *.access.log*", InputDiscovery.RecognisedNames, StringComparison.Ordinal);
        Assert.Contains("any other local file whose first line is an access log line", InputDiscovery.RecognisedNames, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OfAFolderWithASniffedCommonLog_LoadsItIntoTheAccessLogStaging()
    {
        var input = Directory.CreateDirectory(Path.Combine(_dir, "input")).FullName;
        File.WriteAllText(Path.Combine(input, "server-2023-10-10.log"), CommonLine + CommonLine.Replace("404 -", "200 17", StringComparison.Ordinal));
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_OfAFolderWithASniffedCommonLog_LoadsItIntoTheAccessLogStaging));

        var result = await CliProcess.RunAsync(["run", "--input", input, "--database", TestDatabase.UrlFor(db)],
            new Dictionary<string, string> { ["WAREHOUSE_HOME"] = Path.Combine(_dir, "home") });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("converted server-2023-10-10.log [common]: 2 lines -> 2 records, 0 rejected", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("frank 404 null -420 frank 200 17 -420", await TestDatabase.ScalarAsync<string>(db,
            "select string_agg(concat_ws(' ', auth_user, status, coalesce(response_bytes::text, 'null'), utc_offset_minutes), ' ' order by source_line) " +
            "from staging.access_log where user_agent is null and referrer is null"));
    }

    /// <summary>
    /// The real file (10,000 requests of a public server) is read in place through a link. Every line is a record or a
    /// reject with its reason, and the staging table agrees with a count of the same file by a plain regular expression
    /// in Python: lines per status, distinct client addresses, total lines.
    /// </summary>
    [Fact]
    public async Task Run_OfTheRealApacheLog_LoadsEveryLineAsARecordOrARejectAndAgreesWithAnIndependentCount()
    {
        var input = Directory.CreateDirectory(Path.Combine(_dir, "real")).FullName;
        File.CreateSymbolicLink(Path.Combine(input, "access.log"), SharedDataFiles.ApacheAccessLog);
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_OfTheRealApacheLog_LoadsEveryLineAsARecordOrARejectAndAgreesWithAnIndependentCount));

        var result = await CliProcess.RunAsync(["run", "--input", input, "--database", TestDatabase.UrlFor(db)],
            new Dictionary<string, string> { ["WAREHOUSE_HOME"] = Path.Combine(_dir, "home") });

        Assert.True(result.ExitCode == 0, result.ToString());
        var converted = ConvertedLine().Match(result.Stdout);
        Assert.True(converted.Success, result.Stdout);
        var (lines, records, rejected) = (Count(converted, "lines"), Count(converted, "records"), Count(converted, "rejected"));
        var patterns = await TestDatabase.ScalarAsync<string>(db, "select string_agg(agent_pattern, '\n' order by agent_pattern) from core.bot_agent_patterns");
        var independent = PythonCount(SharedDataFiles.ApacheAccessLog, patterns);
        Assert.Equal(independent["lines"], lines.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(lines, records + rejected);
        Assert.Equal(records, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.access_log"));
        Assert.Equal(independent["matching"], records.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(independent["statuses"], await TestDatabase.ScalarAsync<string>(db,
            "select string_agg(status || '=' || n, ' ' order by status) from (select status, count(*) as n from staging.access_log group by status) as s"));
        Assert.Equal(independent["clients"], (await TestDatabase.ScalarAsync<long>(db,
            "select count(distinct client_address) from staging.access_log")).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // bots by the rule table: an agent containing a pattern, or any request of a visitor (address and agent) that
        // fetched /robots.txt; counted here from the raw lines, in the warehouse by its SQL models
        Assert.Equal(independent["bots"], (await TestDatabase.ScalarAsync<long>(db,
            "select cast(sum(bot_requests) as bigint) from marts.http_status_daily")).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(records, await TestDatabase.ScalarAsync<long>(db, "select cast(sum(requests) as bigint) from marts.http_status_daily"));

        // every reject has its line number and a reason; the file's one reject is a line cut off inside the user agent
        var rejects = File.ReadAllLines(converted.Groups["rejects"].Value).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(rejected, rejects.Count);
        Assert.All(rejects, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("reason").GetString())));
        Assert.Equal([(8899L, "the user agent has no closing quote")],
            rejects.Select(r => (r.GetProperty("line").GetInt64(), r.GetProperty("reason").GetString()!)));
    }

    private static long Count(Match match, string group) =>
        long.Parse(match.Groups[group].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Counts of the log by a regular expression of the combined layout in Python, apart from our parser; bots by
    /// the given agent patterns (one per line) and /robots.txt visitors.</summary>
    private static Dictionary<string, string> PythonCount(string path, string botPatterns)
    {
        const string script = """
            import re, sys, collections
            rx = re.compile(r'^(\S+) \S+ .+? \[[^\]]+\] "((?:[^"\\]|\\.)*)" (\d{3}) (?:\d+|-) "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)"')
            lines = [l.rstrip('\r\n') for l in open(sys.argv[1], encoding='utf-8', errors='replace')]
            found = [m for m in map(rx.match, lines) if m]
            statuses = collections.Counter(m.group(3) for m in found)
            print('lines', len(lines))
            print('matching', len(found))
            print('statuses', ' '.join(f'{s}={n}' for s, n in sorted(statuses.items())))
            print('clients', len({m.group(1) for m in found}))
            patterns = sys.argv[2].split('\n')
            def target(request):
                parts = request.split(' ')
                return parts[1].split('?')[0].lower() if len(parts) == 3 else None
            robots = {(m.group(1), m.group(4)) for m in found if target(m.group(2)) == '/robots.txt'}
            bots = [m for m in found if any(p in m.group(4).lower() for p in patterns) or (m.group(1), m.group(4)) in robots]
            print('bots', len(bots))
            """;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(botPatterns);
        using var python = Process.Start(start)!;
        var output = python.StandardOutput.ReadToEnd();
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    [GeneratedRegex(@"converted access\.log \[combined\]: (?<lines>[\d,]+) lines -> (?<records>[\d,]+) records, (?<rejected>[\d,]+) rejected \(see (?<rejects>[^)]+)\)")]
    private static partial Regex ConvertedLine();
}
