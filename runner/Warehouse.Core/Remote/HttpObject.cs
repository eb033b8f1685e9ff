using System.Net;

namespace Warehouse.Core.Remote;

/// <summary>One file at an http:// or https:// URL.</summary>
internal sealed class HttpObject : IRemoteObject
{
    private readonly HttpClient _client;
    private readonly Uri _uri;
    private readonly TimeSpan _timeout;

    private HttpObject(HttpClient client, Uri uri, string? version, long? length, TimeSpan timeout)
    {
        _client = client;
        _uri = uri;
        Version = version;
        Length = length;
        _timeout = timeout;
        Location = SafeLocation(uri);
        Name = Uri.UnescapeDataString(uri.AbsolutePath[(uri.AbsolutePath.LastIndexOf('/') + 1)..]);
    }

    public string Location { get; }
    public string Name { get; }
    public string? Version { get; }
    public long? Length { get; }

    /// <summary>The URL without user info and query string: signed URLs carry credentials there, and must never be printed.</summary>
    public static string SafeLocation(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
        + (uri.Query.Length > 1 ? "?…" : "");

    /// <summary>Asks for the headers (HEAD, or GET when HEAD is not allowed) to learn the version before reading the body.</summary>
    public static async Task<HttpObject> ProbeAsync(HttpClient client, Uri uri, TimeSpan timeout, CancellationToken ct)
    {
        var location = SafeLocation(uri);
        using var head = await SendAsync(client, new HttpRequestMessage(HttpMethod.Head, uri), location, timeout, allowNotImplemented: true, ct);
        HttpResponseMessage response = head;
        HttpResponseMessage? get = null;
        try
        {
            if (head.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
            {
                get = await SendAsync(client, new HttpRequestMessage(HttpMethod.Get, uri), location, timeout, allowNotImplemented: false, ct);
                response = get;
            }
            return new HttpObject(client, uri, VersionOf(response), response.Content.Headers.ContentLength, timeout);
        }
        finally
        {
            get?.Dispose();
        }
    }

    public async Task<Stream> OpenAsync(CancellationToken ct)
    {
        var response = await SendAsync(_client, new HttpRequestMessage(HttpMethod.Get, _uri), Location, _timeout, allowNotImplemented: false, ct);
        try
        {
            if (Version is not null && VersionOf(response) != Version)
            {
                throw new WarehouseException($"{Location} changed while it was being read (version {Version}, now {VersionOf(response) ?? "unknown"}); run again");
            }
            var body = await response.Content.ReadAsStreamAsync(ct);
            return new ReadTimeoutStream(body, response, _timeout, Location);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>ETag when the server gives one (weak or strong: it names this representation), else Last-Modified and length.</summary>
    private static string? VersionOf(HttpResponseMessage response)
    {
        if (response.Headers.ETag is { } etag)
        {
            return "etag:" + etag;
        }
        if (response.Content.Headers.LastModified is { } modified)
        {
            return $"last-modified:{modified.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ};length:{response.Content.Headers.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}";
        }
        return null;
    }

    /// <summary>Sends with a header timeout; 5xx, 408 and 429 are transient, any other non-success is a one-line error.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, string location, TimeSpan timeout,
        bool allowNotImplemented, CancellationToken ct)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutCts.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{location}: no answer in {timeout.TotalSeconds:F0} s", e);
        }
        finally
        {
            request.Dispose();
        }
        var code = (int)response.StatusCode;
        if (response.IsSuccessStatusCode || (allowNotImplemented && response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented))
        {
            return response;
        }
        response.Dispose();
        var status = $"HTTP {code} {response.ReasonPhrase}".TrimEnd();
        if (code >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
        {
            throw new TransientRemoteException($"{location}: {status}");
        }
        throw new WarehouseException(response.StatusCode switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone => $"{location}: not found ({status})",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"{location}: access denied ({status})",
            _ => $"{location}: {status}",
        });
    }

}
