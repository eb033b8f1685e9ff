using Warehouse.Core;
using Warehouse.Core.Load;
using Warehouse.Core.Portability;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Portability;

/// <summary>The Redshift load statements for one Avro file: the approved text, the content-hash key, and bad input.</summary>
public sealed class RedshiftCopyTests
{
    private const string Role = "arn:aws:iam::123456789012:role/warehouse-copy";
    private const string Hash = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    [Fact]
    public void Plan_ForAnHttpLogFile_MatchesTheApprovedTransaction()
    {
        var plan = RedshiftCopy.Plan(S3Target.Parse("s3://perx-warehouse/landing/", Role), Sources.HttpLog, "/tmp/in/http_log.avro", Hash);

        var approved = File.ReadAllText(Path.Combine(TestDatabase.RepoRoot, "tests", "Warehouse.Tests", "Portability", "approved", "redshift-copy.sql"));
        Assert.Equal(approved.Replace("\r\n", "\n"), plan.Script);
        Assert.Equal($"landing/http_log/{Hash}.avro", plan.S3Key);
    }

    [Fact]
    public void Plan_FileNameWithQuote_IsEscapedNotInjected()
    {
        var plan = RedshiftCopy.Plan(S3Target.Parse("s3://bucket-1", Role), Sources.Clickstream, "o'brien.avro", Hash);

        Assert.Contains("select 'o''brien.avro', ", plan.ManifestSql(7));
        Assert.EndsWith("pg_last_copy_count(), getdate(), 7;", plan.ManifestSql(7));
        Assert.Equal("update staging.clickstream_avro set load_id = 7 where load_id is null;", plan.LoadIdSql(7));
        Assert.Equal($"clickstream/{Hash}.avro", plan.S3Key);
        Assert.StartsWith("copy staging.clickstream_avro from 's3://bucket-1/clickstream/", plan.CopySql);
    }

    [Theory]
    [InlineData("http://bucket/prefix", Role, "not an S3 location")]
    [InlineData("s3://Bucket_Upper/x", Role, "not an S3 location")]
    [InlineData("s3://bucket/x'; drop table t; --", Role, "not an S3 location")]
    [InlineData("s3://bucket/x", "arn:aws:iam::123:role/short-account", "not an IAM role ARN")]
    [InlineData("s3://bucket/x", "arn:aws:iam::123456789012:role/x' or '1", "not an IAM role ARN")]
    public void Parse_WithBadLocationOrRole_FailsWithOneClearLine(string uri, string role, string expected)
    {
        var error = Assert.Throws<WarehouseException>(() => S3Target.Parse(uri, role));

        Assert.StartsWith(expected, error.Message);
    }
}
