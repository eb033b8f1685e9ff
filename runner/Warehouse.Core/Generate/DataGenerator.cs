using System.Text.Encodings.Web;
using System.Text.Json;

namespace Warehouse.Core.Generate;

/// <summary>What to generate. <paramref name="Users"/> null means max(1, events / 7.5).</summary>
public sealed record GenerateOptions(long Events, long? Users, ulong Seed, IReadOnlyList<string> Sources, string OutputDirectory)
{
    public const ulong DefaultSeed = 42;
    public const long MaxEvents = 4_000_000_000;

    /// <summary>The sources written by default (without <c>--sources</c>), in the order files are written.</summary>
    public static readonly IReadOnlyList<string> AllSources = ["http-log", "webshop-events", "device-events", "clickstream-csv"];

    /// <summary>
    /// The format names <c>--sources</c> accepts, in the order files are written: the default ones, then the access log
    /// (<c>combined</c>), which is written only when asked for so that the default output, and every benchmark and test
    /// built on it, stays what it was.
    /// </summary>
    public static readonly IReadOnlyList<string> KnownSources = [.. AllSources, "combined"];
}

/// <summary>One written file: its name (inside the output folder), lines (a CSV header included) and bytes.</summary>
public sealed record GeneratedFile(string Name, long Lines, long Bytes);

/// <summary>
/// <c>warehouse generate</c>: realistic raw inputs of every source, deterministic for a seed, streamed to disk, plus
/// <c>generated.json</c> with the arguments, per-file counts and the figures a correct pipeline must reproduce. The HTTP
/// log and the access log get the requested number of events; the other sources a tenth of it each.
/// </summary>
public static class DataGenerator
{
    public const string ManifestName = "generated.json";
    private const string MappingName = "campaign_reward_mapping.csv";

    /// <summary>What the expected figures count, written into generated.json so readers need not find this file.</summary>
    private static readonly string[] CountingRules =
    [
        "events: data lines of the file (a CSV header is not one); lines = events + header",
        "malformed_lines: lines written to be rejected (cut short, impossible timestamp, not a record); they are not events of anyone and are left out of every other figure",
        "duplicate_lines: exact repeats of an earlier line (same bytes, same instant); they are real lines and count as events; at gap 0 they never start a session",
        "events_without_user: webshop events whose customer-id is null or absent; they are loaded but not sessionized",
        "users: distinct users with at least one counted event (not malformed, with a user)",
        "sessions: per user, events ordered by instant; the first event and every event whose gap to the previous one is >= session_gap_seconds start a session (the gap of exactly the threshold starts one; distinct events of a user never share an instant, so tie-breaking never matters)",
        "gaps_at_threshold / gaps_one_second_below_threshold: consecutive counted events of a user exactly session_gap_seconds apart / one second less",
        "reward_driven_sessions (http log): sessions with a POST /rewards/{r} such that a GET /campaigns/{c} earlier in the same session names a campaign c that contains r in campaign_reward_mapping.csv; only method GET with path exactly /campaigns/<digits> is a view and only POST with /rewards/<digits> an issue (GET /rewards/{r}, POST /campaigns/{c} and GET /campaigns/{c}/rewards are other activity)",
        "campaign_views / reward_issues: counted requests of those two shapes, duplicates included",
        "placed_orders / order_sessions (webshop): placed_order events of known customers, and sessions with at least one",
        "sessions_by_*_family (device events): sessions counted by the families of their first event",
        "access log: every line is a request (malformed_lines is 0); a visitor is the auth user, else client address and user agent, one per generated user; events_without_user are the requests left out of sessions: those whose agent is a bot by the rule list (bot|crawl|spider|slurp, Googlebot, bingbot, Baiduspider, YandexBot, AhrefsBot, SemrushBot, curl, wget, python-requests; case-insensitive) and every request of a visitor that fetched /robots.txt; all other requests (assets, 3xx, 4xx, 5xx included) are session activity",
        "access log: requests_by_status_class by the status's first digit; bytes_dash: lines whose bytes field is '-'; client_addresses: distinct first fields; bot_requests(_by_family): lines whose agent matches the rule list, by the first family it names; robots_txt_requests: requests of path /robots.txt",
        "access log: an asset is a request whose path ends in .css, .js, .png, .jpg, .gif, .svg, .webp, .woff, .woff2 or .ico (asset_requests_by_extension); page_views: the other requests with a 2xx or 3xx status, /robots.txt included; human_page_views: page views of sessionized requests; non_utc_requests: lines whose offset is not +0000",
        "access log: sessions_by_channel by the landing request (each session's first, a page with status 200): campaign when its query has utm_ parameters (wins over the referrer), direct without a referrer, internal with a referrer on the site, search (google, bing, duckduckgo), social (facebook, twitter, linkedin), referral otherwise",
    ];

    public static IReadOnlyList<GeneratedFile> Generate(GenerateOptions options, CancellationToken ct = default)
    {
        var sources = Validate(options);
        var users = options.Users ?? Math.Max(1, (long)(options.Events / 7.5));
        var directory = options.OutputDirectory;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new WarehouseException($"cannot create the output folder {directory}: {e.Message}", e);
        }

        var written = new List<GeneratedFile>();
        var counts = new List<(FileCounts Counts, EventSource? Source, long Users)>();
        long mappingLines = 0;
        CampaignCatalog? catalog = null;
        foreach (var name in sources)
        {
            ct.ThrowIfCancellationRequested();
            EventSource source;
            var events = options.Events;
            if (name == "combined")
            {
                source = new AccessLogSource(options.Seed);
            }
            else if (name == "http-log")
            {
                catalog = new CampaignCatalog(options.Seed);
                var bytes = WriteFile(directory, MappingName, stream => catalog.Write(stream, out mappingLines));
                written.Add(new GeneratedFile(MappingName, mappingLines, bytes));
                source = new HttpLogSource(catalog, options.Seed);
            }
            else
            {
                events = Math.Max(1, options.Events / 10);
                source = name switch
                {
                    "webshop-events" => new WebshopEventsSource(options.Seed),
                    "device-events" => new DeviceEventsSource(options.Seed),
                    _ => new ClickstreamSource(options.Seed),
                };
            }
            // Users in proportion to events, as many as events at most.
            var sourceUsers = Math.Min(events, Math.Max(1, (long)Math.Round((double)users * events / options.Events)));
            FileCounts? fileCounts = null;
            WriteFile(directory, source.FileName, stream =>
            {
                fileCounts = source.Write(stream, events, sourceUsers, options.Seed, ct);
                return fileCounts.Bytes;
            });
            written.Add(new GeneratedFile(source.FileName, fileCounts!.Lines, fileCounts.Bytes));
            counts.Add((fileCounts, source, sourceUsers));
        }
        WriteFile(directory, ManifestName, stream =>
        {
            WriteManifest(stream, options, users, sources, catalog, mappingLines, counts);
            return stream.Length;
        });
        return written;
    }

    private static List<string> Validate(GenerateOptions options)
    {
        if (options.Events is <= 0 or > GenerateOptions.MaxEvents)
        {
            throw new WarehouseException($"--events must be between 1 and {GenerateOptions.MaxEvents}, got {options.Events}");
        }
        if (options.Users is { } users && users <= 0)
        {
            throw new WarehouseException($"--users must be at least 1, got {users}");
        }
        if (string.IsNullOrWhiteSpace(options.OutputDirectory))
        {
            throw new WarehouseException("an output folder is required (-o DIR)");
        }
        return CheckSources(options.Sources);
    }

    /// <summary>The sources named, in the canonical order (so the output does not depend on how the list was spelled); an unknown one fails.</summary>
    public static List<string> CheckSources(IReadOnlyList<string> sources)
    {
        var unknown = sources.Where(s => !GenerateOptions.KnownSources.Contains(s)).ToList();
        if (unknown.Count > 0)
        {
            throw new WarehouseException(
                $"unknown source '{unknown[0]}' in --sources; choose from {string.Join(", ", GenerateOptions.KnownSources)}");
        }
        if (sources.Count == 0)
        {
            throw new WarehouseException("--sources names no source");
        }
        return [.. GenerateOptions.KnownSources.Where(sources.Contains)];
    }

    /// <summary>Writes to a temporary name and renames at the end, so an interrupted run leaves no half file behind.</summary>
    private static long WriteFile(string directory, string name, Func<FileStream, long> write)
    {
        var path = Path.Combine(directory, name);
        var temporary = path + ".partial";
        try
        {
            long bytes;
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 0))
            {
                bytes = write(stream);
            }
            File.Move(temporary, path, overwrite: true);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new WarehouseException($"cannot write {path}: {e.Message}", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error is the one worth reporting.
        }
    }

    private static void WriteManifest(Stream stream, GenerateOptions options, long users, List<string> sources,
        CampaignCatalog? catalog, long mappingLines, List<(FileCounts Counts, EventSource? Source, long Users)> files)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("generator", "warehouse generate");
        json.WriteStartObject("arguments");
        json.WriteNumber("events", options.Events);
        json.WriteNumber("users", users);
        json.WriteNumber("seed", options.Seed);
        json.WriteStartArray("sources");
        foreach (var source in sources)
        {
            json.WriteStringValue(source);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("counting_rules");
        foreach (var rule in CountingRules)
        {
            json.WriteStringValue(rule);
        }
        json.WriteEndArray();
        json.WriteStartObject("files");
        if (catalog is not null)
        {
            json.WriteStartObject(MappingName);
            json.WriteNumber("lines", mappingLines);
            json.WriteNumber("pairs", catalog.PairLines);
            json.WriteNumber("distinct_pairs", catalog.DistinctPairs);
            json.WriteEndObject();
        }
        foreach (var (counts, source, sourceUsers) in files)
        {
            json.WriteStartObject(counts.File);
            json.WriteString("source", source!.Source);
            json.WriteNumber("lines", counts.Lines);
            json.WriteNumber("bytes", counts.Bytes);
            json.WriteNumber("events", counts.Events);
            json.WriteNumber("users_generated", sourceUsers);
            json.WriteNumber("malformed_lines", counts.MalformedLines);
            json.WriteNumber("duplicate_lines", counts.DuplicateLines);
            json.WriteNumber("events_without_user", counts.EventsWithoutUser);
            json.WriteStartObject("expected");
            json.WriteNumber("users", counts.Users);
            json.WriteNumber("session_gap_seconds", counts.SessionGapSeconds);
            json.WriteNumber("sessions", counts.Sessions);
            json.WriteNumber("gaps_at_threshold", counts.GapsAtThreshold);
            json.WriteNumber("gaps_one_second_below_threshold", counts.GapsOneSecondBelowThreshold);
            source.WriteExpected(json);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
