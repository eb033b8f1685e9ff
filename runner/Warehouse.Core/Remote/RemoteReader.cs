using System.IO.Compression;
using Amazon.S3;
using Polly;
using Polly.Retry;
using Warehouse.Core.Pipeline;

namespace Warehouse.Core.Remote;

/// <summary>
/// Lists and reads remote inputs with retries. A read is one attempt from byte 0 to the end: when it fails part-way
/// (dropped connection, stall, 5xx) the consumer's output of that attempt is thrown away by the consumer and the object
/// is read again from the start, so nothing is counted twice. (No Range resume: the line reader, the gzip decoder and
/// the Avro writer would all have to be resumed at the same byte, and restarting is simple and always correct.)
/// </summary>
public sealed class RemoteReader : IDisposable
{
    private readonly RemoteOptions _options;
    private readonly TextWriter _log;
    private readonly ResiliencePipeline _retry;
    private readonly Lazy<HttpClient> _http;
    private readonly Lazy<IAmazonS3> _s3;

    public RemoteReader(RemoteOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
        _retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            MaxRetryAttempts = Math.Max(0, options.MaxAttempts - 1),
            Delay = options.RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            OnRetry = args =>
            {
                var what = args.Context.Properties.TryGetValue(LocationKey, out var location) ? location : "remote input";
                _log.WriteLine($"retrying {what} in {args.RetryDelay.TotalSeconds:F1} s (attempt {args.AttemptNumber + 2} of {_options.MaxAttempts}): {Describe(args.Outcome.Exception)}");
                return default;
            },
        }).Build();
        _http = new Lazy<HttpClient>(() => new HttpClient(options.HttpHandler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            ConnectTimeout = options.Timeout,
        }, disposeHandler: options.HttpHandler is null)
        {
            // Per-request timeouts are set by HttpObject (headers) and ReadTimeoutStream (each body read).
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        });
        _s3 = new Lazy<IAmazonS3>(() => S3Clients.Create(options));
    }

    private static readonly ResiliencePropertyKey<string> LocationKey = new("warehouse.location");

    /// <summary>The objects an http(s) URL or s3:// prefix names.</summary>
    public async Task<IReadOnlyList<IRemoteObject>> ListAsync(string input, CancellationToken ct)
    {
        if (input.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            return await RetryAsync(input, token => S3Listing.ListAsync(_s3.Value, input, token), ct);
        }
        if (!Uri.TryCreate(input, UriKind.Absolute, out var uri) || uri.AbsolutePath.EndsWith('/'))
        {
            throw new WarehouseException($"{(uri is null ? "input" : HttpObject.SafeLocation(uri))}: expected the URL of one file (a folder listing cannot be read over HTTP)");
        }
        var location = HttpObject.SafeLocation(uri);
        return [await RetryAsync(location, token => HttpObject.ProbeAsync(_http.Value, uri, _options.Timeout, token), ct)];
    }

    /// <summary>
    /// Opens the object (gzip decoded when its name ends in .gz) and hands the stream to <paramref name="consume"/>,
    /// again from the start after a transient failure. <paramref name="consume"/> must leave no trace of a failed attempt.
    /// </summary>
    public Task<T> ReadAsync<T>(InputFile input, Func<Stream, CancellationToken, Task<T>> consume, CancellationToken ct)
    {
        var remote = input.Remote ?? throw new ArgumentException($"{input.Location} is not remote", nameof(input));
        return RetryAsync(input.Location, async token =>
        {
            Stream stream = await remote.OpenAsync(token);
            if (input.IsGzip)
            {
                stream = new Conversion.GzipContent(stream, reopen: null, input.Name, leaveOpen: false);
            }
            await using (stream)
            {
                return await consume(stream, token);
            }
        }, ct);
    }

    private async Task<T> RetryAsync<T>(string location, Func<CancellationToken, Task<T>> action, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(LocationKey, location);
        try
        {
            var outcome = await _retry.ExecuteOutcomeAsync(async (ctx, state) =>
            {
                try
                {
                    return Outcome.FromResult(await state(ctx.CancellationToken));
                }
                catch (Exception e)
                {
                    return Outcome.FromException<T>(e);
                }
            }, context, action);
            if (outcome.Exception is { } failure)
            {
                if (IsTransient(failure) && !ct.IsCancellationRequested)
                {
                    throw new WarehouseException($"{location}: gave up after {_options.MaxAttempts} attempts: {Describe(failure)}", failure);
                }
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Timeouts, dropped connections, truncated bodies and 5xx answers; never a 4xx, a bad line or a cancellation.</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        TransientRemoteException or TimeoutException => true,
        HttpRequestException http => http.StatusCode is null || (int)http.StatusCode >= 500,
        // GZipStream reports a body cut inside a deflate block as invalid data.
        InvalidDataException => true,
        IOException => true,
        _ => false,
    };

    private static string Describe(Exception? e) => e switch
    {
        null => "no error",
        TransientRemoteException or TimeoutException or WarehouseException => e.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
        if (_s3.IsValueCreated)
        {
            _s3.Value.Dispose();
        }
    }
}
