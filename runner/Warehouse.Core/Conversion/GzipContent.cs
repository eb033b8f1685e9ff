using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.GZip;

namespace Warehouse.Core.Conversion;

/// <summary>
/// The content of a .gz file, inflated by .NET's GZipStream (zlib, fast), which ends quietly at a truncated file (shown by
/// GzipContentTests): a file still being copied would load in part and then, once complete, load again whole. So at the
/// end the last gzip trailer (CRC-32 and length) is compared with what was inflated. They differ for a truncated file, and
/// also for a file of several gzip members (each trailer covers its own part): that rarer case is checked again member by
/// member with SharpZipLib, which verifies every trailer but inflates in managed code, slower than zlib (docs/performance.md).
/// </summary>
public sealed class GzipContent : ReadOnlyStream
{
    private readonly TailOf _compressed;
    private readonly Stream? _bytes;
    private readonly GZipStream _inflated;
    private readonly Func<Stream>? _reopen;
    private readonly string _name;
    private readonly Crc32 _crc = new();
    private long _length;
    private bool _checked;

    /// <param name="compressed">The .gz bytes.</param>
    /// <param name="reopen">Opens the same bytes again, for the member-by-member check; null when they cannot be read twice
    /// (a remote body): a file of several members is then refused with a line saying so.</param>
    /// <param name="name">The file's name, for messages.</param>
    /// <param name="leaveOpen">False: disposing this disposes <paramref name="compressed"/> too.</param>
    public GzipContent(Stream compressed, Func<Stream>? reopen, string name, bool leaveOpen = true)
    {
        _bytes = leaveOpen ? null : compressed;
        _compressed = new TailOf(compressed);
        _inflated = new GZipStream(_compressed, CompressionMode.Decompress, leaveOpen: true);
        _reopen = reopen;
        _name = name;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // A body cut inside a deflate block surfaces as InvalidDataException, which a remote read retries.
        var n = _inflated.Read(buffer);
        if (n > 0)
        {
            _crc.Append(buffer[..n]);
            _length += n;
        }
        else if (!_checked && buffer.Length > 0)
        {
            _checked = true;
            CheckTrailer();
        }
        return n;
    }

    private void CheckTrailer()
    {
        var tail = _compressed.Tail;
        if (tail.Length == 8 && BinaryPrimitives.ReadUInt32LittleEndian(tail) == _crc.GetCurrentHashAsUInt32()
            && BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]) == (uint)_length)
        {
            return;
        }
        if (_reopen is null)
        {
            throw new WarehouseException($"{_name}: the gzip data does not end with the trailer of what was inflated: the file is " +
                "cut short, or holds several gzip members, which are checked only for local files; nothing of it was loaded");
        }
        try
        {
            using var again = _reopen();
            using var members = new GZipInputStream(again);
            var buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = members.Read(buffer)) > 0)
            {
                total += n;
            }
            if (total == _length)
            {
                return;
            }
        }
        catch (Exception e) when (e is SharpZipBaseException or EndOfStreamException or InvalidDataException)
        {
            throw new WarehouseException($"{_name}: the gzip file is cut short or corrupt ({e.Message}); nothing of it was loaded", e);
        }
        throw new WarehouseException($"{_name}: the gzip file changed while it was read; nothing of it was loaded");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inflated.Dispose();
            _bytes?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Passes reads through and keeps the last 8 bytes read: where a gzip file's trailer is.</summary>
    private sealed class TailOf(Stream inner) : ReadOnlyStream
    {
        private readonly byte[] _tail = new byte[8];
        private int _kept;

        public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, _kept);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            var read = buffer[..n];
            if (n >= 8)
            {
                read[^8..].CopyTo(_tail);
                _kept = 8;
            }
            else if (n > 0)
            {
                var keep = Math.Min(8 - n, _kept);
                _tail.AsSpan(_kept - keep, keep).CopyTo(_tail);
                read.CopyTo(_tail.AsSpan(keep));
                _kept = keep + n;
            }
            return n;
        }
    }
}
