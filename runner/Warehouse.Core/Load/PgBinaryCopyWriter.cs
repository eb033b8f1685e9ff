using System.Buffers.Binary;

namespace Warehouse.Core.Load;

/// <summary>
/// Writes PostgreSQL's binary COPY format (https://www.postgresql.org/docs/15/sql-copy.html, "Binary Format") into a
/// buffer that is flushed to the COPY stream in large pieces. Values arrive already in their wire form: strings as the
/// UTF-8 bytes of the Avro block, numbers as integers, so loading costs little more than copying bytes.
/// </summary>
internal sealed class PgBinaryCopyWriter(Stream copyStream)
{
    private const int FlushAt = 1 << 20;
    // PostgreSQL timestamps count microseconds from 2000-01-01 UTC; Avro's from 1970-01-01 UTC.
    private const long PostgresEpochMicros = 946_684_800_000_000;

    private byte[] _buffer = new byte[FlushAt + (64 << 10)];
    private int _length;

    /// <summary>"PGCOPY\n\377\r\n\0" (the \377 is one byte, which a UTF-8 literal cannot express directly).</summary>
    private static byte[] FixedSignature() => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    public void WriteHeader()
    {
        Append(FixedSignature());
        WriteInt32(0); // flags
        WriteInt32(0); // header extension length
    }

    public void StartRow(short fields)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), fields);
        _length += 2;
    }

    public void WriteNull() => WriteInt32(-1);

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        Append(value);
    }

    public void WriteInt64(long value)
    {
        WriteInt32(8);
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteInt32Value(int value)
    {
        WriteInt32(4);
        WriteInt32(value);
    }

    public void WriteBoolean(bool value)
    {
        WriteInt32(1);
        Ensure(1);
        _buffer[_length++] = value ? (byte)1 : (byte)0;
    }

    public void WriteTimestampFromUnixMicros(long unixMicros) => WriteInt64(checked(unixMicros - PostgresEpochMicros));

    /// <summary>Sends the buffer when it is large enough; call once per row.</summary>
    public void FlushIfFull()
    {
        if (_length >= FlushAt)
        {
            copyStream.Write(_buffer, 0, _length);
            _length = 0;
        }
    }

    public void WriteTrailerAndFlush()
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), -1);
        _length += 2;
        copyStream.Write(_buffer, 0, _length);
        _length = 0;
    }

    private void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Ensure(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
    }
}
