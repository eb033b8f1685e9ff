using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;

namespace Warehouse.Core.Remote;

/// <summary>The one way this project builds an S3 client: for reading inputs and for staging Redshift loads.</summary>
public static class S3Clients
{
    /// <summary>
    /// AWS S3, or the S3-compatible store at <see cref="RemoteOptions.S3Endpoint"/> (path-style). Credentials are
    /// <see cref="RemoteOptions.S3Credentials"/> or the standard AWS chain; the SDK never logs them and neither do we.
    /// </summary>
    public static IAmazonS3 Create(RemoteOptions options)
    {
        var config = new AmazonS3Config { Timeout = options.Timeout, MaxErrorRetry = 2 };
        if (options.S3Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = FallbackRegionFactory.GetRegionEndpoint()?.SystemName ?? "us-east-1";
            // S3-compatible stores rarely implement the newer flexible checksums.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else
        {
            config.RegionEndpoint = FallbackRegionFactory.GetRegionEndpoint() ?? RegionEndpoint.USEast1;
        }
        return new AmazonS3Client(options.S3Credentials ?? ChainCredentials(), config);
    }

    /// <summary>The standard AWS chain (environment, shared profile, container or instance role); anonymous when it has nothing, for public buckets.</summary>
    private static AWSCredentials ChainCredentials()
    {
        try
        {
            return FallbackCredentialsFactory.GetCredentials();
        }
        catch (AmazonClientException)
        {
            return new AnonymousAWSCredentials();
        }
    }
}
