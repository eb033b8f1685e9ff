using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Warehouse.Core.Conversion;

/// <summary>
/// Turns the raw timestamp shapes into UTC microseconds since the Unix epoch (Avro timestamp-micros).
/// ISO-8601 is parsed by hand: it is on the hot path of the http-log converter (millions of lines a second),
/// and the extended shape is fixed enough that a small state machine is both faster and stricter than DateTime.Parse.
/// </summary>
public static class Timestamps
{
    /// <summary>Earliest and latest instants we accept: the DateTime range, which every reader of our Avro can represent.</summary>
    public static readonly long MinMicros = (DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;
    public static readonly long MaxMicros = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>Years 1 to 9999, UTC: inside PostgreSQL's timestamptz range and what any client can read back; the loader
    /// refuses anything outside, so the converter rejects it first.</summary>
    public const long MinStorableMicros = -62_135_596_800_000_000;
    public const long MaxStorableMicros = 253_402_300_799_999_999;

    /// <summary>The English month abbreviations of Apache's %t (Jan..Dec), three bytes each: read here, written by the generator.</summary>
    public static ReadOnlySpan<byte> MonthAbbreviations => "JanFebMarAprMayJunJulAugSepOctNovDec"u8;

    private const long MicrosPerSecond = 1_000_000;
    private const long MicrosPerDay = 86_400 * MicrosPerSecond;
    private static readonly int UnixEpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>
    /// Parses ISO-8601 extended format <c>yyyy-MM-ddTHH:mm[:ss[.fffffff]][Z|±HH[:mm]|±HHmm]</c>.
    /// The fraction may have 1 to 9 digits (','  or '.'); it is rounded half-up to microseconds, as PostgreSQL does.
    /// A timestamp without an offset is UTC when <paramref name="naiveIsUtc"/>, else a problem.
    /// <paramref name="allowSpaceSeparator"/> also accepts a space between date and time (Python's str(datetime)).
    /// </summary>
    /// <returns>null on success, else what is wrong (for a reject reason).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? TryParseIso(ReadOnlySpan<byte> s, bool naiveIsUtc, bool allowSpaceSeparator, out long micros)
    {
        micros = 0;
        // Fixed part: yyyy-MM-ddTHH:mm (16 bytes).
        if (s.Length < 16 || s[4] != '-' || s[7] != '-' || s[13] != ':')
        {
            return "expected yyyy-MM-ddTHH:mm:ss";
        }
        var separator = s[10];
        if (separator is not ((byte)'T' or (byte)'t') && !(allowSpaceSeparator && separator == ' '))
        {
            return "expected 'T' between date and time";
        }
        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day) ||
            !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute))
        {
            return "expected digits in yyyy-MM-ddTHH:mm:ss";
        }
        var second = 0;
        long fractionMicros = 0;
        var i = 16;
        if (i < s.Length && s[i] == ':')
        {
            if (!Digits(s, i + 1, 2, out second))
            {
                return "expected two digits of seconds";
            }
            i += 3;
            if (i < s.Length && s[i] is (byte)'.' or (byte)',')
            {
                i++;
                var start = i;
                long fraction = 0;
                while (i < s.Length && (uint)(s[i] - '0') <= 9)
                {
                    if (i - start >= 9)
                    {
                        return "more than 9 fraction digits";
                    }
                    fraction = fraction * 10 + (s[i] - '0');
                    i++;
                }
                var digits = i - start;
                if (digits == 0)
                {
                    return "expected digits after the decimal point";
                }
                // Scale to nanoseconds, then round half-up to microseconds (may carry into the next second: fine, we add).
                for (var d = digits; d < 9; d++)
                {
                    fraction *= 10;
                }
                fractionMicros = (fraction + 500) / 1000;
            }
        }

        if (year < 1)
        {
            return "year 0000 is out of range";
        }
        if (month is < 1 or > 12)
        {
            return $"month {month:00} is out of range";
        }
        if (day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return $"day {day:00} is out of range for {year:0000}-{month:00}";
        }
        if (hour > 23)
        {
            return $"hour {hour:00} is out of range";
        }
        if (minute > 59)
        {
            return $"minute {minute:00} is out of range";
        }
        if (second > 59)
        {
            return $"second {second:00} is out of range";
        }

        long offsetMinutes = 0;
        if (i == s.Length)
        {
            if (!naiveIsUtc)
            {
                return "no UTC offset (expected Z or ±HH:mm at the end)";
            }
        }
        else if (s[i] is (byte)'Z' or (byte)'z' && i + 1 == s.Length)
        {
            // UTC.
        }
        else if (s[i] is (byte)'+' or (byte)'-')
        {
            var sign = s[i] == '-' ? -1 : 1;
            var rest = s[(i + 1)..];
            int offsetHours, offsetMins = 0;
            var ok = rest.Length switch
            {
                2 => Digits(rest, 0, 2, out offsetHours),
                4 => Digits(rest, 0, 2, out offsetHours) && Digits(rest, 2, 2, out offsetMins),
                5 => Digits(rest, 0, 2, out offsetHours) && rest[2] == ':' && Digits(rest, 3, 2, out offsetMins),
                _ => Fail(out offsetHours),
            };
            if (!ok)
            {
                return "expected the offset as ±HH:mm, ±HHmm or ±HH";
            }
            if (offsetHours > 23 || offsetMins > 59)
            {
                return "offset is out of range";
            }
            offsetMinutes = sign * (offsetHours * 60L + offsetMins);
        }
        else
        {
            return "unexpected text after the time (expected Z or ±HH:mm)";
        }

        var days = (long)new DateOnly(year, month, day).DayNumber - UnixEpochDayNumber;
        micros = days * MicrosPerDay
                 + ((hour * 60L + minute - offsetMinutes) * 60 + second) * MicrosPerSecond
                 + fractionMicros;
        return micros < MinMicros || micros > MaxMicros ? "outside years 0001-9999 in UTC" : null;
    }

    /// <summary>
    /// Parses the time of an Apache/nginx access log (%t without its brackets): <c>dd/Mon/yyyy:HH:mm:ss ±hhmm</c>, the
    /// month in English (Jan ... Dec), exactly as both servers write it. <paramref name="offsetMinutes"/> is east of UTC.
    /// </summary>
    /// <returns>null on success, else what is wrong (for a reject reason).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? TryParseAccessLog(ReadOnlySpan<byte> s, out long micros, out int offsetMinutes)
    {
        micros = 0;
        offsetMinutes = 0;
        if (s.Length != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' '
            || s[21] is not ((byte)'+' or (byte)'-'))
        {
            return "expected dd/Mon/yyyy:HH:mm:ss ±hhmm";
        }
        if (!Digits(s, 0, 2, out var day) || !Digits(s, 7, 4, out var year) || !Digits(s, 12, 2, out var hour)
            || !Digits(s, 15, 2, out var minute) || !Digits(s, 18, 2, out var second)
            || !Digits(s, 22, 2, out var offsetHours) || !Digits(s, 24, 2, out var offsetMins))
        {
            return "expected digits in dd/Mon/yyyy:HH:mm:ss ±hhmm";
        }
        var month = 0;
        for (var m = 0; m < 12 && month == 0; m++)
        {
            month = s.Slice(3, 3).SequenceEqual(MonthAbbreviations.Slice(m * 3, 3)) ? m + 1 : 0;
        }
        if (month == 0)
        {
            return "the month is not one of Jan, Feb, ..., Dec";
        }
        if (year < 1)
        {
            return "year 0000 is out of range";
        }
        if (day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return $"day {day:00} is out of range for {year:0000}-{month:00}";
        }
        if (hour > 23 || minute > 59 || second > 59)
        {
            return "the time of day is out of range";
        }
        if (offsetHours > 23 || offsetMins > 59)
        {
            return "offset is out of range";
        }
        offsetMinutes = (s[21] == '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
        var days = (long)new DateOnly(year, month, day).DayNumber - UnixEpochDayNumber;
        micros = days * MicrosPerDay + ((hour * 60L + minute - offsetMinutes) * 60 + second) * MicrosPerSecond;
        return micros < MinStorableMicros || micros > MaxStorableMicros ? "outside years 0001-9999 in UTC" : null;
    }

    /// <summary>Same as the byte version, for a timestamp already decoded to a string (JSON values).</summary>
    public static string? TryParseIso(string s, bool naiveIsUtc, bool allowSpaceSeparator, out long micros)
    {
        micros = 0;
        if (s.Length > 64)
        {
            return "too long for a timestamp";
        }
        Span<byte> utf8 = stackalloc byte[64 * 3];
        var length = Encoding.UTF8.GetBytes(s, utf8);
        return TryParseIso(utf8[..length], naiveIsUtc, allowSpaceSeparator, out micros);
    }

    /// <summary>Epoch milliseconds to micros, or a problem when outside years 0001-9999.</summary>
    public static string? FromEpochMillis(long millis, out long micros)
    {
        micros = 0;
        if (millis < MinMicros / 1000 || millis > MaxMicros / 1000)
        {
            return "outside years 0001-9999";
        }
        micros = millis * 1000;
        return null;
    }

    /// <summary>
    /// Epoch seconds as written in a CSV cell: an integer or a decimal (also 1.55E9), rounded half away from zero
    /// to microseconds. Decimal arithmetic keeps 1554767994.123456 exact, which double would not.
    /// </summary>
    public static string? TryParseEpochSeconds(string text, out long micros)
    {
        micros = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var seconds))
        {
            return "not a number of epoch seconds";
        }
        if (seconds < MinMicros / MicrosPerSecond || seconds > MaxMicros / MicrosPerSecond)
        {
            return "outside years 0001-9999";
        }
        micros = (long)Math.Round(seconds * MicrosPerSecond, MidpointRounding.AwayFromZero);
        return null;
    }

    /// <summary>Micros to a readable UTC DateTime (for tests and messages).</summary>
    public static DateTime ToDateTime(long micros) => DateTime.UnixEpoch.AddTicks(micros * 10);

    /// <summary>A UTC DateTime(Offset) to micros.</summary>
    public static long ToMicros(DateTimeOffset at) => (at.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }
        for (var k = start; k < start + count; k++)
        {
            var digit = (uint)(s[k] - '0');
            if (digit > 9)
            {
                return false;
            }
            value = value * 10 + (int)digit;
        }
        return true;
    }

    private static bool Fail(out int value)
    {
        value = 0;
        return false;
    }
}
