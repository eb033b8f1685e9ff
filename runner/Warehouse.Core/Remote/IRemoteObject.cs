namespace Warehouse.Core.Remote;

/// <summary>One object at an HTTP(S) URL or in S3, as listed (before its body is read).</summary>
public interface IRemoteObject
{
    /// <summary>Where it lives, safe to print and to store: URL without user info or query string, or s3://bucket/key.</summary>
    string Location { get; }

    /// <summary>Last segment of the URL path or key: the name that decides the kind of input.</summary>
    string Name { get; }

    /// <summary>What changes when the content changes: the ETag, else Last-Modified and length; null when the server
    /// tells neither (the run then identifies the object by the SHA-256 of the bytes it read).</summary>
    string? Version { get; }

    /// <summary>Body length in bytes when known.</summary>
    long? Length { get; }

    /// <summary>Starts reading the body (still compressed if it is a .gz). Fails when the object changed since it was listed.</summary>
    Task<Stream> OpenAsync(CancellationToken ct);
}

/// <summary>A failure worth another attempt: a 5xx or 429 answer, or a stalled body.</summary>
public sealed class TransientRemoteException(string message, Exception? inner = null) : Exception(message, inner);
