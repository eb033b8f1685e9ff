namespace Warehouse.Core.Remote;

/// <summary>How remote inputs are reached and how hard the run tries before giving up.</summary>
public sealed record RemoteOptions
{
    /// <summary>An S3-compatible endpoint (e.g. http://127.0.0.1:4568); addressed path-style. Null: AWS S3.</summary>
    public string? S3Endpoint { get; init; }

    /// <summary>S3 credentials; null takes them from the standard AWS chain (environment, profile, instance role),
    /// and reads anonymously (public buckets) when the chain has none.</summary>
    public Amazon.Runtime.AWSCredentials? S3Credentials { get; init; }

    /// <summary>Attempts per object (the first one included) on timeouts, dropped connections and 5xx answers.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for response headers, and for each read of the body, before the attempt counts as a timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The HTTP handler for http(s) inputs; null makes a standard one. Tests pass one that trusts their own certificate.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }
}
