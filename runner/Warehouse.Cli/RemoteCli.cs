using System.CommandLine;
using Warehouse.Core.Remote;

namespace Warehouse.Cli;

/// <summary>The options for remote inputs (http(s) URLs and s3:// prefixes) shared by run and convert.</summary>
internal static class RemoteCli
{
    public static readonly Option<string?> S3Endpoint = new("--s3-endpoint")
    {
        Description = "S3-compatible endpoint URL for s3:// inputs (path-style addressing); credentials and region from the standard AWS chain",
    };

    public static RemoteOptions Options(ParseResult result) => new() { S3Endpoint = result.GetValue(S3Endpoint) };
}
