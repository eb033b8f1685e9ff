namespace Warehouse.Core.Generate;

/// <summary>
/// Writes ASCII/UTF-8 lines into a large byte buffer and hands it to the stream in big blocks. Numbers and timestamps
/// are formatted by hand: string formatting per field would cost more than everything else the generator does.
/// </summary>
internal sealed class AsciiLineWriter(Stream stream) : IDisposable
{
    /// <summary>No generated line is longer than this, so reserving it once per line makes every write fit.</summary>
    public const int MaxLineBytes = 2048;

    private const long MicrosPerSecond = 1_000_000;
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _used;

    public long BytesWritten { get; private set; }

    public long Lines { get; private set; }

    public void BeginLine()
    {
        if (_buffer.Length - _used < MaxLineBytes)
        {
            Flush();
        }
    }

    public void EndLine()
    {
        _buffer[_used++] = (byte)'\n';
        Lines++;
    }

    public void Write(byte b) => _buffer[_used++] = b;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    public void WriteNumber(ulong value)
    {
        Span<byte> digits = stackalloc byte[20];
        var i = digits.Length;
        do
        {
            var next = value / 10;
            digits[--i] = (byte)('0' + (int)(value - next * 10));
            value = next;
        }
        while (value != 0);
        Write(digits[i..]);
    }

    public void WriteNumber(long value)
    {
        if (value < 0)
        {
            Write((byte)'-');
            WriteNumber((ulong)(-value));
            return;
        }
        WriteNumber((ulong)value);
    }

    /// <summary>Zero-padded to exactly <paramref name="width"/> digits.</summary>
    public void WritePadded(long value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            _buffer[_used + i] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
        _used += width;
    }

    public void WriteHex(ulong value, int digits)
    {
        for (var i = digits - 1; i >= 0; i--)
        {
            _buffer[_used + i] = (byte)"0123456789ABCDEF"[(int)(value & 0xF)];
            value >>= 4;
        }
        _used += digits;
    }

    /// <summary>
    /// <c>yyyy-MM-ddTHH:mm:ss[.fff|.ffffff]</c> of the instant shifted by the offset (the offset text is the caller's):
    /// no fraction when the time is on a whole second, milliseconds when it is on a whole millisecond.
    /// </summary>
    public void WriteLocalDateTime(long utcMicros, int offsetMinutes)
    {
        SplitLocal(utcMicros, offsetMinutes, out var days, out var secondOfDay, out var micros);
        CivilFromDays(days, out var year, out var month, out var day);
        WritePadded(year, 4);
        Write((byte)'-');
        WritePadded(month, 2);
        Write((byte)'-');
        WritePadded(day, 2);
        Write((byte)'T');
        WritePadded(secondOfDay / 3600, 2);
        Write((byte)':');
        WritePadded(secondOfDay / 60 % 60, 2);
        Write((byte)':');
        WritePadded(secondOfDay % 60, 2);
        WriteFraction(micros);
    }

    /// <summary>
    /// <c>dd/Mon/yyyy:HH:mm:ss</c>, Apache's <c>%t</c> without the brackets and the zone (the caller's), of the instant
    /// shifted by the offset; a fraction of a second is dropped, as Apache does.
    /// </summary>
    public void WriteApacheDateTime(long utcMicros, int offsetMinutes)
    {
        SplitLocal(utcMicros, offsetMinutes, out var days, out var secondOfDay, out _);
        CivilFromDays(days, out var year, out var month, out var day);
        WritePadded(day, 2);
        Write((byte)'/');
        Write(Conversion.Timestamps.MonthAbbreviations.Slice((int)(month - 1) * 3, 3));
        Write((byte)'/');
        WritePadded(year, 4);
        Write((byte)':');
        WritePadded(secondOfDay / 3600, 2);
        Write((byte)':');
        WritePadded(secondOfDay / 60 % 60, 2);
        Write((byte)':');
        WritePadded(secondOfDay % 60, 2);
    }

    /// <summary>Epoch seconds with a <c>.fff</c> fraction when the instant is not on a whole second.</summary>
    public void WriteEpochSeconds(long utcMicros)
    {
        WriteNumber(Math.DivRem(utcMicros, MicrosPerSecond, out var micros));
        WriteFraction(micros);
    }

    public void Flush()
    {
        if (_used > 0)
        {
            stream.Write(_buffer, 0, _used);
            BytesWritten += _used;
            _used = 0;
        }
    }

    public void Dispose()
    {
        Flush();
        stream.Flush();
    }

    private static void SplitLocal(long utcMicros, int offsetMinutes, out long days, out long secondOfDay, out long micros)
    {
        var local = utcMicros + offsetMinutes * 60 * MicrosPerSecond;
        var seconds = Math.DivRem(local, MicrosPerSecond, out micros);
        if (micros < 0)
        {
            micros += MicrosPerSecond;
            seconds--;
        }
        days = Math.DivRem(seconds, 86_400, out secondOfDay);
        if (secondOfDay < 0)
        {
            secondOfDay += 86_400;
            days--;
        }
    }

    private void WriteFraction(long micros)
    {
        if (micros == 0)
        {
            return;
        }
        Write((byte)'.');
        if (micros % 1000 == 0)
        {
            WritePadded(micros / 1000, 3);
        }
        else
        {
            WritePadded(micros, 6);
        }
    }

    /// <summary>Howard Hinnant's days-to-civil algorithm (proleptic Gregorian), exact for every day we can produce.</summary>
    private static void CivilFromDays(long z, out long year, out long month, out long day)
    {
        z += 719_468;
        var era = (z >= 0 ? z : z - 146_096) / 146_097;
        var dayOfEra = z - era * 146_097;
        var yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        var dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        var mp = (5 * dayOfYear + 2) / 153;
        day = dayOfYear - (153 * mp + 2) / 5 + 1;
        month = mp < 10 ? mp + 3 : mp - 9;
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    }
}
