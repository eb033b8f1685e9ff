namespace Warehouse.Core.Remote;

/// <summary>
/// A read-only stream over a network body that fails a read which gets no data for <c>timeout</c>, so a stalled
/// connection becomes a retryable <see cref="TimeoutException"/> instead of a hang. The watchdog closes the inner
/// stream, which ends the blocked read. It also wraps the body's owner (an HTTP response) so disposing disposes both.
/// </summary>
internal sealed class ReadTimeoutStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly IDisposable? _owner;
    private readonly TimeSpan _timeout;
    private readonly string _location;
    private readonly Timer _watchdog;
    private volatile bool _timedOut;

    public ReadTimeoutStream(Stream inner, IDisposable? owner, TimeSpan timeout, string location)
    {
        _inner = inner;
        _owner = owner;
        _timeout = timeout;
        _location = location;
        _watchdog = new Timer(_ => { _timedOut = true; _inner.Dispose(); }, null, Timeout.Infinite, Timeout.Infinite);
    }

    public long Position64 { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        _watchdog.Change(_timeout, Timeout.InfiniteTimeSpan);
        try
        {
            var n = _inner.Read(buffer);
            Position64 += n;
            return n;
        }
        catch (Exception e) when (_timedOut && e is not TimeoutException)
        {
            throw new TimeoutException($"{_location}: no data for {_timeout.TotalSeconds:F0} s", e);
        }
        finally
        {
            _watchdog.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _watchdog.Change(_timeout, Timeout.InfiniteTimeSpan);
        try
        {
            var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Position64 += n;
            return n;
        }
        catch (Exception e) when (_timedOut && e is not TimeoutException)
        {
            throw new TimeoutException($"{_location}: no data for {_timeout.TotalSeconds:F0} s", e);
        }
        finally
        {
            _watchdog.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _watchdog.Dispose();
            _inner.Dispose();
            _owner?.Dispose();
        }
        base.Dispose(disposing);
    }

    public override long Position { get => Position64; set => throw new NotSupportedException(); }
}
