using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Warehouse.Core.Remote;

/// <summary>One object in an S3 bucket, as listed.</summary>
internal sealed class S3Object(IAmazonS3 client, string bucket, string key, string etag, long size) : IRemoteObject
{
    public string Location { get; } = $"s3://{bucket}/{key}";
    public string Name { get; } = key[(key.LastIndexOf('/') + 1)..];
    public string? Version { get; } = "etag:" + etag;
    public long? Length { get; } = size;

    public async Task<Stream> OpenAsync(CancellationToken ct)
    {
        // EtagToMatch: an object replaced since it was listed answers 412 instead of mixing two versions into one load.
        var response = await S3Errors.Guard(Location, () => client.GetObjectAsync(
            new GetObjectRequest { BucketName = bucket, Key = key, EtagToMatch = etag }, ct));
        return new ReadTimeoutStream(response.ResponseStream, response, client.Config.Timeout ?? TimeSpan.FromSeconds(60), Location);
    }
}

/// <summary>Lists s3://bucket/prefix and turns S3 errors into one clear line (never a credential).</summary>
internal static class S3Listing
{
    public static (string Bucket, string Prefix) Parse(string url)
    {
        var rest = url["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length == 0)
        {
            throw new WarehouseException($"{url}: expected s3://bucket/prefix");
        }
        return (bucket, prefix);
    }

    /// <summary>Every object under the prefix, in key order (directory markers ending in '/' left out).</summary>
    public static async Task<IReadOnlyList<IRemoteObject>> ListAsync(IAmazonS3 client, string url, CancellationToken ct)
    {
        var (bucket, prefix) = Parse(url);
        var objects = new List<S3Object>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        var keys = new List<(string Key, string ETag, long Size)>();
        do
        {
            var page = await S3Errors.Guard($"s3://{bucket}/{prefix}", () => client.ListObjectsV2Async(request, ct));
            foreach (var o in page.S3Objects ?? [])
            {
                if (!o.Key.EndsWith('/'))
                {
                    keys.Add((o.Key, o.ETag, o.Size));
                }
            }
            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
        return keys.OrderBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => (IRemoteObject)new S3Object(client, bucket, k.Key, k.ETag, k.Size)).ToList();
    }
}

internal static class S3Errors
{
    /// <summary>Runs one S3 call: 5xx and network failures become transient, 403/404 one line naming the location.</summary>
    public static async Task<T> Guard<T>(string location, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception e) when ((int)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.TooManyRequests || e.ErrorCode == "SlowDown")
        {
            throw new TransientRemoteException($"{location}: S3 {(int)e.StatusCode} {e.ErrorCode}", e);
        }
        catch (AmazonS3Exception e)
        {
            throw new WarehouseException(e.StatusCode switch
            {
                HttpStatusCode.NotFound => $"{location}: not found (S3 404 {e.ErrorCode})",
                HttpStatusCode.Forbidden => $"{location}: access denied (S3 403 {e.ErrorCode})",
                HttpStatusCode.PreconditionFailed => $"{location} changed while it was being read; run again",
                _ => $"{location}: S3 {(int)e.StatusCode} {e.ErrorCode}",
            }, e);
        }
        catch (Exception e) when (e is AmazonClientException or AmazonServiceException
                                  && e.InnerException is HttpRequestException or IOException or TimeoutException)
        {
            throw new TransientRemoteException($"{location}: {e.InnerException!.Message}", e);
        }
        catch (AmazonClientException e)
        {
            throw new WarehouseException($"{location}: {e.Message}", e);
        }
    }
}
