using System.Globalization;
using System.Text.Json;

namespace Warehouse.Core.Marts;

/// <summary>
/// The one text form of a mart value, shared by verify and the CSV export (so an export can serve as an expected
/// fixture): timestamps in UTC ISO-8601 (fraction only when non-zero), lists as JSON arrays of strings, booleans
/// true/false, numbers to 6 decimals, null as the empty string.
/// </summary>
public static class MartValues
{
    public static string Format(object? value) => value switch
    {
        null or DBNull => "",
        DateTime dt => FormatTimestamp(dt),
        DateTimeOffset dto => FormatTimestamp(dto.UtcDateTime),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => s,
        Array array => JsonSerializer.Serialize(array.Cast<object?>().Select(e => e?.ToString()).ToArray()),
        decimal d => d.ToString("F6", CultureInfo.InvariantCulture),
        double d => d.ToString("F6", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("F6", CultureInfo.InvariantCulture),
        long or int or short => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public static string FormatTimestamp(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return text + "Z";
    }

    /// <summary>
    /// Normalises a value written by hand in an expected CSV to the same text form: numbers to 6 decimals, timestamps
    /// with any offset to UTC, JSON arrays re-serialised; anything else is compared as written.
    /// </summary>
    public static string Normalise(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return "";
        }
        if (trimmed.StartsWith('['))
        {
            try
            {
                var items = JsonSerializer.Deserialize<JsonElement[]>(trimmed)!;
                return JsonSerializer.Serialize(items.Select(i => i.ValueKind == JsonValueKind.String ? i.GetString() : i.GetRawText()).ToArray());
            }
            catch (JsonException)
            {
                return trimmed;
            }
        }
        if (trimmed.Length >= 19 && trimmed[4] == '-' && trimmed[10] is 'T' or ' '
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return FormatTimestamp(at.UtcDateTime);
        }
        if (trimmed.Contains('.') && decimal.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number.ToString("F6", CultureInfo.InvariantCulture);
        }
        return trimmed;
    }
}
