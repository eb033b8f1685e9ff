using System.Runtime.CompilerServices;

namespace Warehouse.Core.Conversion;

/// <summary>
/// Splits a stream into lines of raw UTF-8 bytes without decoding them: the parsers work on bytes, so the
/// hot path never builds a string per line. Lines end at '\n'; a '\r' before it is dropped; a last line without
/// '\n' still counts; a UTF-8 byte order mark at the start is skipped. Memory stays bounded: a line longer than
/// <see cref="MaxLineBytes"/> is returned truncated with <c>tooLong</c> set (and the rest of it skipped), never buffered whole.
/// </summary>
internal sealed class Utf8LineReader
{
    /// <summary>Longest line we buffer; real log lines are well under a kilobyte.</summary>
    public const int DefaultMaxLineBytes = 1 << 20;

    private readonly Stream _input;
    private readonly IProgress<long>? _progress;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private bool _atStart = true;

    public Utf8LineReader(Stream input, IProgress<long>? progress = null, int maxLineBytes = DefaultMaxLineBytes)
    {
        _input = input;
        _progress = progress;
        MaxLineBytes = maxLineBytes;
        _buffer = new byte[Math.Min(1 << 20, maxLineBytes + 1)];
    }

    public int MaxLineBytes { get; }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Bytes consumed from the input so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>The next line (without its line ending), valid until the next call; false at the end of the input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadLine(out ReadOnlySpan<byte> line, out bool tooLong)
    {
        tooLong = false;
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = TrimCarriageReturn(pending[..newline]);
                _start += newline + 1;
                LineNumber++;
                _atStart = false;
                return true;
            }
            if (_eof)
            {
                if (pending.IsEmpty)
                {
                    line = default;
                    return false;
                }
                line = TrimCarriageReturn(pending);
                _start = _end;
                LineNumber++;
                return true;
            }
            if (pending.Length > MaxLineBytes)
            {
                line = SkipRestOfLongLine();
                tooLong = true;
                LineNumber++;
                return true;
            }
            Fill();
        }
    }

    /// <summary>Moves pending bytes to the front (growing the buffer up to the line limit) and reads more.</summary>
    private void Fill()
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, MaxLineBytes + 1L));
        }
        var read = _input.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
            return;
        }
        _end += read;
        BytesRead += read;
        _progress?.Report(BytesRead);
        if (_atStart && _end >= 3)
        {
            _atStart = false;
            if (_buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
            {
                _start = 3;
            }
        }
    }

    /// <summary>Keeps the first <see cref="MaxLineBytes"/> bytes of an over-long line and discards the rest of it.</summary>
    private ReadOnlySpan<byte> SkipRestOfLongLine()
    {
        var kept = _buffer.AsSpan(_start, MaxLineBytes).ToArray();
        _start = _end;
        while (true)
        {
            Fill();
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _start += newline + 1;
                return kept;
            }
            _start = _end;
            if (_eof)
            {
                return kept;
            }
        }
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
}
