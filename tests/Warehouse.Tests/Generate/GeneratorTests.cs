using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Warehouse.Core;
using Warehouse.Core.Generate;

namespace Warehouse.Tests.Generate;

/// <summary>
/// The generator's output checked from the outside: files are re-read and re-parsed here, and the expected counts in
/// generated.json are recomputed by a plain sort-and-scan over the parsed lines.
/// </summary>
[Trait("Speed", "slow")] // scale: generated data sets re-read and recounted
public sealed partial class GeneratorTests(GeneratedData data) : IClassFixture<GeneratedData>
{
    public sealed record Request(int Line, long AtTicks, string Method, string Path, string User, string Text);

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})) (GET|POST|PUT|DELETE) (/\S*) (\d+)$")]
    private static partial Regex HttpLine();

    [GeneratedRegex(@"^/campaigns/(\d+)$")]
    private static partial Regex CampaignPath();

    [GeneratedRegex(@"^/rewards/(\d+)$")]
    private static partial Regex RewardPath();

    /// <summary>The HTTP log parsed once for every test that reads it (a regex and DateTimeOffset, nothing of ours).</summary>
    private (List<Request> Requests, int Rejected) HttpLog => data.Cached(nameof(HttpLog), () =>
    {
        var requests = new List<Request>();
        var rejected = 0;
        var lines = data.Lines("http_log.txt");
        for (var i = 0; i < lines.Length; i++)
        {
            var match = HttpLine().Match(lines[i]);
            if (!match.Success || !DateTimeOffset.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture,
                    DateTimeStyles.None, out var at))
            {
                rejected++;
                continue;
            }
            requests.Add(new Request(i + 1, at.UtcTicks, match.Groups[2].Value, match.Groups[3].Value, match.Groups[4].Value, lines[i]));
        }
        return (requests, rejected);
    });

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Generate_WithTheSameSeed_WritesTheSameBytes_AndWithAnotherSeed_DifferentOnes()
    {
        var again = Directory.CreateTempSubdirectory("generate-again-").FullName;
        var other = Directory.CreateTempSubdirectory("generate-other-").FullName;
        try
        {
            DataGenerator.Generate(new GenerateOptions(GeneratedData.Events, null, GeneratedData.Seed, GenerateOptions.AllSources, again));
            DataGenerator.Generate(new GenerateOptions(GeneratedData.Events, null, GeneratedData.Seed + 1, GenerateOptions.AllSources, other));
            foreach (var file in data.Files.Select(f => f.Name).Append(DataGenerator.ManifestName))
            {
                var original = Hash(Path.Combine(data.Folder, file));
                Assert.Equal(original, Hash(Path.Combine(again, file)));
                if (file != DataGenerator.ManifestName)
                {
                    Assert.NotEqual(original, Hash(Path.Combine(other, file)));
                }
            }
        }
        finally
        {
            Directory.Delete(again, recursive: true);
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void Generate_WithSomeSources_WritesTheSameBytesForThoseAsAFullRun()
    {
        var folder = Directory.CreateTempSubdirectory("generate-some-").FullName;
        try
        {
            var files = DataGenerator.Generate(new GenerateOptions(GeneratedData.Events, null, GeneratedData.Seed, ["device-events"], folder));

            Assert.Equal(["device_events.jsonl"], files.Select(f => f.Name));
            Assert.Equal(Hash(Path.Combine(data.Folder, "device_events.jsonl")), Hash(Path.Combine(folder, "device_events.jsonl")));
            Assert.False(File.Exists(Path.Combine(folder, "http_log.txt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Generate_ByDefault_WritesNoAccessLog_SoDefaultInputsStayAsTheyWere()
    {
        Assert.DoesNotContain(data.Files, f => f.Name == "access.log");
        Assert.False(File.Exists(Path.Combine(data.Folder, "access.log")));
        Assert.Equal(GenerateOptions.AllSources,
            data.Manifest.RootElement.GetProperty("arguments").GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public void Generate_WritesTheRequestedLineCounts_AndReportsThemTruly()
    {
        var expectedLines = new Dictionary<string, long>
        {
            ["http_log.txt"] = GeneratedData.Events,
            ["webshop_events.jsonl"] = GeneratedData.Events / 10,
            ["device_events.jsonl"] = GeneratedData.Events / 10,
            ["clickstream.csv"] = GeneratedData.Events / 10 + 1,
        };
        foreach (var (file, lines) in expectedLines)
        {
            var path = Path.Combine(data.Folder, file);
            Assert.Equal(lines, data.Lines(file).Length);
            Assert.Equal(lines, data.Files.Single(f => f.Name == file).Lines);
            Assert.Equal(lines, data.Count(file, "lines"));
            Assert.Equal(new FileInfo(path).Length, data.Count(file, "bytes"));
        }
        var mapping = data.Lines("campaign_reward_mapping.csv");
        Assert.Equal("campaign_id,reward_id", mapping[0]);
        Assert.Equal(mapping.Length, data.Count("campaign_reward_mapping.csv", "lines"));
        Assert.Equal(mapping.Skip(1).Distinct().Count(), data.Count("campaign_reward_mapping.csv", "distinct_pairs"));
        Assert.True(mapping.Length - 1 > data.Count("campaign_reward_mapping.csv", "distinct_pairs"), "the mapping repeats some pairs");
        Assert.Equal((long)(GeneratedData.Events / 7.5), data.Manifest.RootElement.GetProperty("arguments").GetProperty("users").GetInt64());
    }

    [Fact]
    public void HttpLog_EveryLineParses_ExceptTheMalformedOnesItCounts()
    {
        var (requests, rejected) = HttpLog;

        Assert.InRange(rejected, 1, 100);
        Assert.Equal(data.Count("http_log.txt", "malformed_lines"), rejected);
        Assert.Equal(GeneratedData.Events, requests.Count + rejected);
    }

    [Fact]
    public void HttpLog_MixesOffsetsAndFractions_AndIsNotInTimeOrder()
    {
        var lines = data.Lines("http_log.txt");
        foreach (var marker in new[] { "Z ", "+00:00 ", "+05:30 ", "-08:00 " })
        {
            Assert.True(lines.Count(l => l.Contains(marker, StringComparison.Ordinal)) > lines.Length / 100, $"offset {marker}");
        }
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\S+:\d{2}\.\d{3}[Z+-]"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\S+:\d{2}\.\d{6}[Z+-]"));

        var requests = HttpLog.Requests;
        var backwards = requests.Zip(requests.Skip(1)).Count(p => p.Second.AtTicks < p.First.AtTicks);
        Assert.True(backwards > requests.Count / 3, "lines are shuffled across time");
        var backwardsWithinUser = requests.GroupBy(r => r.User)
            .Sum(g => g.Zip(g.Skip(1)).Count(p => p.Second.AtTicks < p.First.AtTicks));
        Assert.True(backwardsWithinUser > 1000, "a user's own requests are out of time order too");
        Assert.True(requests.Select(r => r.User).Take(1000).Distinct().Count() > 500, "users are interleaved");
    }

    [Fact]
    public void HttpLog_ExpectedCounts_MatchARecountFromTheFiles()
    {
        var requests = HttpLog.Requests;
        var rewardOwners = data.Lines("campaign_reward_mapping.csv").Skip(1).Select(l => l.Split(','))
            .ToLookup(p => p[1], p => p[0]);
        long sessions = 0, rewardDriven = 0, atThreshold = 0, belowThreshold = 0, longestSession = 0;
        var threshold = TimeSpan.FromSeconds(300).Ticks;
        foreach (var user in requests.GroupBy(r => r.User))
        {
            long previous = 0;
            var first = true;
            var viewed = new HashSet<string>();
            var driven = false;
            long inSession = 0;
            foreach (var r in user.OrderBy(r => r.AtTicks).ThenBy(r => r.Line))
            {
                var gap = r.AtTicks - previous;
                atThreshold += !first && gap == threshold ? 1 : 0;
                belowThreshold += !first && gap == threshold - TimeSpan.TicksPerSecond ? 1 : 0;
                if (first || gap >= threshold)
                {
                    sessions++;
                    viewed.Clear();
                    driven = false;
                    inSession = 0;
                }
                longestSession = Math.Max(longestSession, ++inSession);
                var view = CampaignPath().Match(r.Path);
                var issue = RewardPath().Match(r.Path);
                if (r.Method == "GET" && view.Success)
                {
                    viewed.Add(view.Groups[1].Value);
                }
                else if (r.Method == "POST" && issue.Success && !driven && rewardOwners[issue.Groups[1].Value].Any(viewed.Contains))
                {
                    driven = true;
                    rewardDriven++;
                }
                previous = r.AtTicks;
                first = false;
            }
        }

        Assert.Equal(data.Expected("http_log.txt", "users"), requests.Select(r => r.User).Distinct().LongCount());
        Assert.Equal(data.Expected("http_log.txt", "sessions"), sessions);
        Assert.Equal(data.Expected("http_log.txt", "reward_driven_sessions"), rewardDriven);
        Assert.Equal(data.Expected("http_log.txt", "gaps_at_threshold"), atThreshold);
        Assert.Equal(data.Expected("http_log.txt", "gaps_one_second_below_threshold"), belowThreshold);
        Assert.True(atThreshold > 100 && belowThreshold > 100, "exact-threshold and one-second-below gaps are present");
        Assert.InRange(rewardDriven, sessions / 50, sessions / 2);
        Assert.True(longestSession > 20, "some sessions are long");
        var duplicates = requests.Count - requests.Select(r => r.Text).Distinct().Count();
        Assert.Equal(data.Count("http_log.txt", "duplicate_lines"), duplicates);
        Assert.True(duplicates > 50, "exact duplicate lines are present");
    }

    [Fact]
    public void HttpLog_SessionsPerUser_AreHeavyTailed()
    {
        var perUser = HttpLog.Requests.GroupBy(r => r.User).Select(g => g.Count()).OrderDescending().ToList();

        Assert.True(perUser.Count(n => n == 1) > perUser.Count / 5, "many users make a single request");
        Assert.True(perUser[0] > 100 * perUser[perUser.Count / 2], $"the busiest user ({perUser[0]}) dwarfs the median ({perUser[perUser.Count / 2]})");
        Assert.True(perUser.Take(perUser.Count / 100).Sum() > GeneratedData.Events / 10, "the top 1% of users make over a tenth of the requests");
    }

    [Fact]
    public void WebshopEvents_HaveNullCustomers_Orders_AndRecountedSessions()
    {
        var threshold = TimeSpan.FromSeconds(1800).Ticks;
        var events = new List<(string Customer, long AtTicks, string Type, int Line)>();
        var malformed = 0;
        var nullCustomers = 0;
        var lines = data.Lines("webshop_events.jsonl");
        for (var i = 0; i < lines.Length; i++)
        {
            try
            {
                using var json = JsonDocument.Parse(lines[i]);
                var e = json.RootElement.GetProperty("event");
                var at = DateTime.Parse(e.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                if (!e.TryGetProperty("customer-id", out var customer) || customer.ValueKind == JsonValueKind.Null)
                {
                    nullCustomers++;
                    continue;
                }
                events.Add((customer.GetRawText(), at.Ticks, json.RootElement.GetProperty("type").GetString()!, i));
            }
            catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
            {
                malformed++;
            }
        }
        long sessions = 0, orderSessions = 0;
        foreach (var customer in events.GroupBy(e => e.Customer))
        {
            long previous = long.MinValue / 2;
            var ordered = false;
            foreach (var e in customer.OrderBy(e => e.AtTicks).ThenBy(e => e.Line))
            {
                if (e.AtTicks - previous >= threshold)
                {
                    sessions++;
                    ordered = false;
                }
                if (e.Type == "placed_order" && !ordered)
                {
                    ordered = true;
                    orderSessions++;
                }
                previous = e.AtTicks;
            }
        }

        Assert.Equal(data.Count("webshop_events.jsonl", "malformed_lines"), malformed);
        Assert.Equal(data.Count("webshop_events.jsonl", "events_without_user"), nullCustomers);
        Assert.InRange(nullCustomers, lines.Length / 20, lines.Length / 5);
        Assert.Equal(data.Expected("webshop_events.jsonl", "sessions"), sessions);
        Assert.Equal(data.Expected("webshop_events.jsonl", "order_sessions"), orderSessions);
        Assert.True(orderSessions > 100, "orders are placed");
        Assert.Contains(lines, l => l.Contains("\"timestamp\": \"2022-", StringComparison.Ordinal) && l.Contains("+05:30\"", StringComparison.Ordinal));
    }

    [Fact]
    public void DeviceEvents_ChangeFamiliesWithinSessions_AndCountSessionsByFirstFamily()
    {
        var threshold = 1_800_000L;
        var events = new List<(string User, long AtMillis, string Browser, int Line)>();
        var lines = data.Lines("device_events.jsonl");
        for (var i = 0; i < lines.Length; i++)
        {
            try
            {
                using var json = JsonDocument.Parse(lines[i]);
                var root = json.RootElement;
                events.Add((root.GetProperty("anonymous_id").GetString()!, root.GetProperty("device_sent_timestamp").GetInt64(),
                    root.GetProperty("browser_family").GetString()!, i));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // A malformed line; counted by the line-count test.
            }
        }
        var byBrowser = new Dictionary<string, long>();
        var changedWithinSession = 0;
        foreach (var user in events.GroupBy(e => e.User))
        {
            long previous = long.MinValue / 2;
            var sessionBrowser = "";
            foreach (var e in user.OrderBy(e => e.AtMillis).ThenBy(e => e.Line))
            {
                if (e.AtMillis - previous >= threshold)
                {
                    sessionBrowser = e.Browser;
                    byBrowser[e.Browser] = byBrowser.GetValueOrDefault(e.Browser) + 1;
                }
                else if (e.Browser != sessionBrowser)
                {
                    changedWithinSession++;
                }
                previous = e.AtMillis;
            }
        }

        Assert.True(changedWithinSession > 10, "families change mid-session");
        var expected = data.FileEntry("device_events.jsonl").GetProperty("expected").GetProperty("sessions_by_browser_family")
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(expected.OrderBy(p => p.Key), byBrowser.OrderBy(p => p.Key));
        Assert.Equal(data.Expected("device_events.jsonl", "sessions"), byBrowser.Values.Sum());
        Assert.Equal(events.Count, lines.Length - data.Count("device_events.jsonl", "malformed_lines"));
    }

    [Fact]
    public void Clickstream_HasTheHeader_AndFiveFieldsOnEveryWellFormedLine()
    {
        var lines = data.Lines("clickstream.csv");
        Assert.Equal("ip,original_timestamp,productId,userAgent,userId", lines[0]);
        var wellFormed = new Regex(@"^[\d.]*,\d+(\.\d{3})?,(P\d+)?,(""[^""]+"")?,u\d+$");

        var bad = lines.Skip(1).Count(l => !wellFormed.IsMatch(l));

        Assert.Equal(data.Count("clickstream.csv", "malformed_lines"), bad);
        Assert.Contains(lines, l => Regex.IsMatch(l, @",\d+\.\d{3},"));
        Assert.Contains(lines, l => l.Contains(",,", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_TwoMillionEvents_AllocatesNoMoreThanTwoHundredThousand()
    {
        static long AllocatedFor(long events)
        {
            var source = new HttpLogSource(new CampaignCatalog(3), 3);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var counts = source.Write(Stream.Null, events, events / 7, 3, CancellationToken.None);
            Assert.Equal(events, counts.Lines);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        var small = AllocatedFor(200_000);
        var large = AllocatedFor(2_000_000);

        // Holding the events (>= 24 bytes each) or allocating per line would add tens of megabytes for the extra 1.8
        // million; streaming allocates the same pool, chunk and buffer whatever the count.
        Assert.True(large - small < 2_000_000, $"allocated {small:N0} bytes for 200k events and {large:N0} for 2M");
        Assert.True(large < 16_000_000, $"allocated {large:N0} bytes for 2M events");
    }

    [Fact]
    public void Generate_WithBadArguments_FailsWithAClearMessage()
    {
        var folder = Path.Combine(data.Folder, "never");
        Assert.Contains("--events must be between 1",
            Assert.Throws<WarehouseException>(() => DataGenerator.Generate(new GenerateOptions(0, null, 1, GenerateOptions.AllSources, folder))).Message);
        Assert.Contains("--users must be at least 1",
            Assert.Throws<WarehouseException>(() => DataGenerator.Generate(new GenerateOptions(10, 0, 1, GenerateOptions.AllSources, folder))).Message);
        Assert.Contains("unknown source 'http'",
            Assert.Throws<WarehouseException>(() => DataGenerator.Generate(new GenerateOptions(10, null, 1, ["http"], folder))).Message);
        var file = Path.Combine(data.Folder, "http_log.txt");
        Assert.Contains("cannot create the output folder",
            Assert.Throws<WarehouseException>(() => DataGenerator.Generate(new GenerateOptions(10, null, 1, GenerateOptions.AllSources, Path.Combine(file, "sub")))).Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Generate_WithFewEventsAndMoreUsersThanEvents_StillWritesExactCounts()
    {
        var folder = Directory.CreateTempSubdirectory("generate-tiny-").FullName;
        try
        {
            var files = DataGenerator.Generate(new GenerateOptions(3, 50, 1, GenerateOptions.AllSources, folder));

            Assert.Equal(3, files.Single(f => f.Name == "http_log.txt").Lines);
            Assert.Equal(1, files.Single(f => f.Name == "webshop_events.jsonl").Lines);
            Assert.Equal(2, files.Single(f => f.Name == "clickstream.csv").Lines);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
