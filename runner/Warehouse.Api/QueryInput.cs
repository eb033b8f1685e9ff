using System.Globalization;
using Warehouse.Core.Load;

namespace Warehouse.Api;

/// <summary>A query parameter that failed validation: what was wrong, and which values would have been accepted.</summary>
public sealed record InputError(string Parameter, string Detail, IReadOnlyList<string>? Allowed = null);

/// <summary>Parses and checks the query parameters; every rejection names the parameter and what it accepts.</summary>
public static class QueryInput
{
    public static IReadOnlyList<string> GroupKeys { get; } = ["browser_family", "os_family", "device_family"];

    public static IReadOnlyList<string> SourceNames { get; } = [.. Sources.All.Select(s => s.Name)];

    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>The first error in parameter order (every parameter is parsed either way), or null when all are valid.</summary>
    public static InputError? First(params InputError?[] errors) => errors.FirstOrDefault(e => e is not null);

    public static InputError? Key(string key) =>
        GroupKeys.Contains(key, StringComparer.Ordinal)
            ? null
            : new InputError("key", $"unknown key '{Shorten(key)}'; allowed: {string.Join(", ", GroupKeys)}", GroupKeys);

    /// <summary>A key that must be given (a query parameter rather than a path segment).</summary>
    public static InputError? RequiredKey(string? key) =>
        string.IsNullOrEmpty(key)
            ? new InputError("key", $"key is required; allowed: {string.Join(", ", GroupKeys)}", GroupKeys)
            : Key(key);

    /// <summary>Null or empty means "all sources".</summary>
    public static InputError? Source(string? source, out string? parsed)
    {
        parsed = string.IsNullOrEmpty(source) ? null : source;
        return parsed is null || SourceNames.Contains(parsed, StringComparer.Ordinal)
            ? null
            : new InputError("source", $"unknown source '{Shorten(parsed)}'; allowed: {string.Join(", ", SourceNames)}", SourceNames);
    }

    /// <summary>ISO-8601 with an offset or Z; a value without an offset (or a plain date) is taken as UTC.</summary>
    public static InputError? Timestamp(string name, string? text, out DateTime? parsed)
    {
        parsed = null;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return new InputError(name, $"{name} must be an ISO-8601 timestamp such as 2019-08-27T00:00:00Z, got '{Shorten(text)}'");
        }
        parsed = at.UtcDateTime;
        return null;
    }

    /// <summary>A UTC calendar day, yyyy-MM-dd exactly; null or empty means the range is open at that end.</summary>
    public static InputError? Day(string name, string? text, out DateOnly? parsed)
    {
        parsed = null;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return new InputError(name, $"{name} must be a UTC date such as 2024-03-01 (yyyy-MM-dd), got '{Shorten(text)}'");
        }
        parsed = day;
        return null;
    }

    /// <summary>from and to of a day range, both included; to before from is refused rather than answered with nothing.</summary>
    public static InputError? Days(string? from, string? to, out DayRange parsed)
    {
        var fromError = Day("from", from, out var fromDay);
        var toError = Day("to", to, out var toDay);
        parsed = new DayRange(fromDay, toDay);
        return fromError ?? toError
            ?? (fromDay > toDay ? new InputError("to", "to must not be before from (both days are included)") : null);
    }

    /// <summary>
    /// Null or empty means "every user". A NUL character is refused: PostgreSQL text cannot hold one, so it could match no
    /// user, and sent as a parameter it fails the query.
    /// </summary>
    public static InputError? UserId(string? text, out string? parsed)
    {
        parsed = string.IsNullOrEmpty(text) ? null : text;
        return parsed is not null && parsed.Contains('\0', StringComparison.Ordinal)
            ? new InputError("user_id", "user_id must not contain a NUL character (%00)")
            : null;
    }

    public static InputError? Limit(string? text, out int parsed) => Limit(text, DefaultLimit, MaxLimit, out parsed);

    /// <summary>A limit with its own default and ceiling, for short lists such as the bars of a chart.</summary>
    public static InputError? Limit(string? text, int defaultLimit, int maxLimit, out int parsed)
    {
        parsed = defaultLimit;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out parsed) && parsed >= 1 && parsed <= maxLimit
            ? null
            : new InputError("limit", $"limit must be a whole number from 1 to {maxLimit}, got '{Shorten(text)}'");
    }

    public static InputError? Cursor(string? text, out CampaignCursor? parsed)
    {
        parsed = null;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        parsed = CampaignCursor.TryDecode(text);
        return parsed is null
            ? new InputError("cursor", "cursor is not one this API issued; pass next_cursor from the previous page unchanged")
            : null;
    }

    /// <summary>Echoing input back is useful; echoing a megabyte of it is not.</summary>
    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
