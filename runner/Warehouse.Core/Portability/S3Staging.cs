using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Warehouse.Core.Remote;

namespace Warehouse.Core.Portability;

/// <summary>What staging one file in S3 did.</summary>
public enum UploadOutcome
{
    /// <summary>The object was written.</summary>
    Uploaded,
    /// <summary>An object of the same content-hash key and size was already there (an earlier run uploaded it).</summary>
    AlreadyThere,
    /// <summary>The manifest already lists the file: nothing was uploaded or loaded.</summary>
    NotNeeded,
}

/// <summary>Puts a local file into S3 under a key its caller derived from the file's content hash.</summary>
public static class S3Staging
{
    /// <summary>S3's limit for one PUT (https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html).</summary>
    public const long MaxSinglePutBytes = 5L * 1024 * 1024 * 1024;

    /// <summary>
    /// Uploads <paramref name="path"/> to <c>s3://bucket/key</c> unless an object of the same size is there already. The
    /// key names the content (its SHA-256), so an object under it with the right size is this file: an earlier run
    /// uploaded it and then failed or was stopped before its COPY committed. S3 writes an object whole or not at all,
    /// so a cut upload never leaves a partial object behind; a size mismatch (a foreign object) is overwritten.
    /// </summary>
    public static async Task<UploadOutcome> UploadAsync(IAmazonS3 client, string bucket, string key, string path, CancellationToken ct)
    {
        var location = $"s3://{bucket}/{key}";
        var size = new FileInfo(path).Length;
        if (size > MaxSinglePutBytes)
        {
            throw new WarehouseException($"{Path.GetFileName(path)}: {size:N0} bytes is more than one S3 upload takes (5 GiB); convert the input in smaller parts");
        }
        var existing = await Call(location, async () =>
        {
            try
            {
                return await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, ct);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        });
        if (existing is not null && existing.ContentLength == size)
        {
            return UploadOutcome.AlreadyThere;
        }
        await Call(location, () => client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            FilePath = path,
            ContentType = "application/avro",
            // A plain signed body: S3-compatible stores do not all understand aws-chunked uploads.
            UseChunkEncoding = false,
        }, ct));
        return UploadOutcome.Uploaded;
    }

    /// <summary>One S3 call; the SDK already retried transient failures (MaxErrorRetry), so what is left is one clear line.</summary>
    private static async Task<T> Call<T>(string location, Func<Task<T>> call)
    {
        try
        {
            return await S3Errors.Guard(location, call);
        }
        catch (TransientRemoteException e)
        {
            throw new WarehouseException($"{e.Message}; nothing was loaded, run again", e);
        }
    }
}
