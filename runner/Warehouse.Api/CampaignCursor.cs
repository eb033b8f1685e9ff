using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Warehouse.Api;

/// <summary>
/// Where a page of the campaign report ended: the last row's (session_start, user_id). Clients treat it as opaque; it is
/// base64url of <c>microseconds-since-epoch|user_id</c>, which is enough because the sort key is exactly that pair.
/// </summary>
public sealed record CampaignCursor(DateTime SessionStart, string UserId)
{
    /// <summary>Longer input is refused before decoding: no cursor this API issues comes near it.</summary>
    public const int MaxLength = 1024;

    public string Encode()
    {
        var micros = (SessionStart.ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10;
        var text = micros.ToString(CultureInfo.InvariantCulture) + "|" + UserId;
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Null when the text is not a cursor this API could have issued.</summary>
    public static CampaignCursor? TryDecode(string text)
    {
        if (text.Length is 0 or > MaxLength || !Base64Url.IsValid(text))
        {
            return null;
        }
        string decoded;
        try
        {
            decoded = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true)
                .GetString(Base64Url.DecodeFromChars(text));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null;
        }
        var separator = decoded.IndexOf('|', StringComparison.Ordinal);
        // A NUL cannot be in a user id (PostgreSQL text holds none), so no cursor this API issued has one.
        if (separator <= 0 || decoded.Contains('\0', StringComparison.Ordinal)
            || !long.TryParse(decoded.AsSpan(0, separator), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var micros)
            || micros < MinMicros || micros > MaxMicros)
        {
            return null;
        }
        return new CampaignCursor(DateTime.UnixEpoch.AddTicks(micros * 10), decoded[(separator + 1)..]);
    }

    // Year 1 to 9999 in UTC, whatever the server's time zone (MinValue.ToUniversalTime() would shift it by the local offset).
    private static readonly long MinMicros = (DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;
    private static readonly long MaxMicros = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
