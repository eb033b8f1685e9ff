using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Warehouse.Tests.Remote;

/// <summary>
/// A local S3-compatible server: s3rver (npm) run by node on a free loopback port, with its data in a temporary folder.
/// s3rver is installed once into a cache folder under the system temp directory (npm install; node and npm must be on
/// PATH, which ./warehouse test checks). Its fixed credentials are S3RVER / S3RVER.
/// </summary>
public sealed class S3rverServer : IAsyncLifetime
{
    public const string Version = "3.7.1";
    public static readonly AWSCredentials Credentials = new BasicAWSCredentials("S3RVER", "S3RVER");
    private readonly string _data = Directory.CreateTempSubdirectory("s3rver-data-").FullName;
    private Process? _process;

    public string Endpoint { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var script = await InstallAsync();
        var port = FreePort();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { script, "-d", _data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" })
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Endpoint = $"http://127.0.0.1:{port}";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public AmazonS3Client Client() => new(Credentials, new AmazonS3Config
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    public async Task PutAsync(string bucket, string key, byte[] body)
    {
        using var client = Client();
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(body),
            UseChunkEncoding = false,
        });
    }

    public async Task CreateBucketAsync(string bucket)
    {
        using var client = Client();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>npm install s3rver into a shared cache folder once (a temp folder renamed into place, so a cut install is never used).</summary>
    private static async Task<string> InstallAsync()
    {
        var cache = Path.Combine(Path.GetTempPath(), $"warehouse-s3rver-{Version}");
        var script = Path.Combine(cache, "node_modules", "s3rver", "bin", "s3rver.js");
        if (File.Exists(script))
        {
            return script;
        }
        var staging = cache + "." + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        var npm = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = staging };
        foreach (var argument in new[] { "install", "--no-audit", "--no-fund", "--no-save", "--prefix", staging, $"s3rver@{Version}" })
        {
            npm.ArgumentList.Add(argument);
        }
        using var process = Process.Start(npm)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm install s3rver@{Version} failed: {await stderr}{await stdout}");
        }
        try
        {
            Directory.Move(staging, cache);
        }
        catch (IOException) when (File.Exists(script))
        {
            Directory.Delete(staging, recursive: true);   // another run installed it meanwhile
        }
        return script;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
