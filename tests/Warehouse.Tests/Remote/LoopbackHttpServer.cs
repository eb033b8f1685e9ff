using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Warehouse.Tests.Remote;

/// <summary>How a served file misbehaves.</summary>
public enum Fault { None, DropMidwayOnce, ServiceUnavailableTwice, NoVersionHeaders }

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 (a raw TcpListener, one request per connection) serving byte arrays by path,
/// with an ETag, HEAD support and the faults a download meets: a connection dropped half-way through the body, 503s.
/// Counts GETs per path so tests can tell what was read again.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, (byte[] Body, Fault Fault)> _files = new();
    private readonly ConcurrentDictionary<string, int> _gets = new();
    private readonly Task _loop;

    public LoopbackHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public string Serve(string path, byte[] body, Fault fault = Fault.None)
    {
        _files[path] = (body, fault);
        _gets[path] = 0;
        return BaseUrl + path;
    }

    public int Gets(string path) => _gets.GetValueOrDefault(path);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var requestLine = await ReadHeadAsync(stream);
                var parts = requestLine.Split(' ');
                var method = parts[0];
                var path = new Uri("http://x" + parts[1]).AbsolutePath;
                if (!_files.TryGetValue(path, out var file))
                {
                    await WriteHeadAsync(stream, 404, "Not Found", 0, null);
                    return;
                }
                var attempt = method == "GET" ? _gets.AddOrUpdate(path, 1, (_, n) => n + 1) : 0;
                if (file.Fault == Fault.ServiceUnavailableTwice && method == "GET" && attempt <= 2)
                {
                    await WriteHeadAsync(stream, 503, "Service Unavailable", 0, null);
                    return;
                }
                var etag = file.Fault == Fault.NoVersionHeaders ? null : $"\"{Convert.ToHexStringLower(SHA256.HashData(file.Body))[..16]}\"";
                await WriteHeadAsync(stream, 200, "OK", file.Body.Length, etag);
                if (method == "HEAD")
                {
                    return;
                }
                if (file.Fault == Fault.DropMidwayOnce && attempt == 1)
                {
                    await stream.WriteAsync(file.Body.AsMemory(0, file.Body.Length / 2));
                    await stream.FlushAsync();
                    client.Client.LingerState = new LingerOption(true, 0);   // reset, not a clean close
                    return;
                }
                await stream.WriteAsync(file.Body);
            }
            catch (IOException)
            {
                // The client went away; nothing to do.
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1)
        {
            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                break;
            }
        }
        var text = Encoding.ASCII.GetString(head.ToArray());
        return text[..text.IndexOf('\r', StringComparison.Ordinal)];
    }

    private static async Task WriteHeadAsync(NetworkStream stream, int code, string reason, long length, string? etag)
    {
        var head = new StringBuilder()
            .Append(FormattableString.Invariant($"HTTP/1.1 {code} {reason}\r\n"))
            .Append(FormattableString.Invariant($"Content-Length: {length}\r\n"))
            .Append("Content-Type: application/octet-stream\r\nConnection: close\r\n");
        if (etag is not null)
        {
            head.Append("ETag: ").Append(etag).Append("\r\n");
        }
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
