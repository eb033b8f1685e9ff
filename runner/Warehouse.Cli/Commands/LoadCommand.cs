using System.CommandLine;
using Warehouse.Core;
using Warehouse.Core.Database;
using Warehouse.Core.Load;
using Warehouse.Core.Pipeline;
using Warehouse.Core.Portability;
using Warehouse.Core.Remote;

namespace Warehouse.Cli.Commands;

/// <summary>
/// <c>warehouse load FILE...</c>: Avro files and the campaign/reward mapping into staging. With <c>--target redshift</c>:
/// Avro files staged in S3 (<c>--s3</c>) and loaded by COPY with the cluster's role (<c>--iam-role</c>).
/// </summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Avro files (*.avro) and/or campaign_reward_mapping*.csv", Arity = ArgumentArity.OneOrMore };
        var s3 = new Option<string?>("--s3")
        {
            Description = "With --target redshift: s3://bucket/prefix where the Avro files are staged (key prefix/<source>/<sha256>.avro)",
        };
        var iamRole = new Option<string?>("--iam-role")
        {
            Description = "With --target redshift: ARN of the IAM role the cluster assumes to read the staged files",
        };
        var command = new Command("load", "Load Avro files and the campaign/reward mapping into the staging tables (each file once)")
        {
            files, s3, iamRole, RemoteCli.S3Endpoint,
        };
        command.SetAction(async (result, ct) =>
        {
            var paths = result.GetValue(files)!;
            foreach (var file in paths)
            {
                LocalFiles.RequireRegular(file);
            }
            if (result.GetValue(GlobalOptions.Target) == "redshift")
            {
                await LoadIntoRedshiftAsync(result, paths, result.GetValue(s3), result.GetValue(iamRole), ct);
                return ExitCodes.Ok;
            }
            if (result.GetValue(s3) is not null || result.GetValue(iamRole) is not null)
            {
                throw new WarehouseException("--s3 and --iam-role stage files for Redshift: add --target redshift");
            }
            // Named with the same --database, so the hint works as printed (the password, if any, is shown as ***).
            var migrate = result.GetValue(GlobalOptions.Database) is { Length: > 0 } url
                ? $"./warehouse migrate --database {ConnectionUrl.Redact(url)}"
                : "./warehouse migrate";
            var loader = new StagingLoader(GlobalOptions.ConnectionString(result), migrate);
            foreach (var file in paths)
            {
                var loaded = file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                    ? await loader.LoadMappingAsync(file, ct)
                    : await loader.LoadAvroAsync(file, ct);
                Console.WriteLine(Reports.DescribeLoad(loaded));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task LoadIntoRedshiftAsync(ParseResult result, string[] paths, string? s3, string? iamRole, CancellationToken ct)
    {
        if (s3 is null || iamRole is null)
        {
            throw new WarehouseException("--target redshift loads through S3: give --s3 s3://bucket/prefix and --iam-role arn:aws:iam::<account>:role/<name>");
        }
        var url = DatabaseLocator.ExplicitUrl(result.GetValue(GlobalOptions.Database))
            ?? throw new WarehouseException($"--target redshift needs the cluster: --database postgresql://user@cluster:5439/db or {DatabaseLocator.UrlVariable}");
        if (paths.FirstOrDefault(p => !p.EndsWith(".avro", StringComparison.OrdinalIgnoreCase)) is { } other)
        {
            throw new WarehouseException($"{other}: only Avro files load into Redshift (the campaign/reward mapping is not staged through S3 yet)");
        }
        var target = S3Target.Parse(s3, iamRole);
        var connectionString = Dialect.Redshift.ConnectionString(ConnectionUrl.ToConnectionString(url));
        using var client = S3Clients.Create(RemoteCli.Options(result));
        var loader = new RedshiftLoader(connectionString, client, target, new RedshiftS3Copy(), Console.Out);
        foreach (var path in paths)
        {
            var loaded = await loader.LoadAsync(path, ct);
            Console.WriteLine(Reports.DescribeLoad(loaded.Load));
        }
    }
}
