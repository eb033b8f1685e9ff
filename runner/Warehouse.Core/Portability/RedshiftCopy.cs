using System.Text.RegularExpressions;
using Warehouse.Core.Load;

namespace Warehouse.Core.Portability;

/// <summary>Where a Redshift load is staged: <c>s3://bucket/prefix</c> and the IAM role the cluster assumes to read it.</summary>
public sealed partial record S3Target(string Bucket, string Prefix, string IamRoleArn)
{
    /// <summary>Parses <c>s3://bucket[/prefix]</c>; a bad URI or role ARN is one clear error, never a malformed COPY.</summary>
    public static S3Target Parse(string uri, string iamRoleArn)
    {
        var match = S3Uri().Match(uri);
        if (!match.Success)
        {
            throw new WarehouseException($"not an S3 location: '{uri}' (expected s3://bucket/prefix, bucket of lower-case letters, digits, dots and dashes)");
        }
        if (!RoleArn().IsMatch(iamRoleArn))
        {
            throw new WarehouseException($"not an IAM role ARN: '{iamRoleArn}' (expected arn:aws:iam::123456789012:role/name)");
        }
        return new S3Target(match.Groups["bucket"].Value, match.Groups["prefix"].Value.Trim('/'), iamRoleArn);
    }

    [GeneratedRegex(@"^s3://(?<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?<prefix>[A-Za-z0-9!_.*()/\-]*))?$")]
    private static partial Regex S3Uri();

    [GeneratedRegex(@"^arn:aws[a-z\-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/\-]{1,512}$")]
    private static partial Regex RoleArn();
}

/// <summary>
/// The statements that load one uploaded Avro file on Redshift, in the order they run in one transaction. Two of them
/// take the load's number (<c>staging.loaded_files.load_id</c>, which incremental refresh goes by), read with
/// <see cref="NextLoadIdSql"/> under the manifest lock, as the PostgreSQL loader does.
/// </summary>
public sealed class RedshiftLoadPlan(Source source, string table, string s3Key, string s3Uri, string copySql, string fileNameLiteral, string hash)
{
    public Source Source { get; } = source;

    /// <summary>The table the COPY fills: staging.&lt;source&gt;_avro.</summary>
    public string Table { get; } = table;

    public string S3Key { get; } = s3Key;

    public string S3Uri { get; } = s3Uri;

    public string LockSql => "lock staging.loaded_files;";

    public string AlreadyLoadedSql => $"select count(*) from staging.loaded_files where file_hash = '{hash}';";

    /// <summary>Loads are serialised by the manifest lock, so max + 1 read under it is this load's own number.</summary>
    public string NextLoadIdSql => "select coalesce(max(load_id), 0) + 1 from staging.loaded_files;";

    public string CopySql { get; } = copySql;

    /// <summary>Right after the COPY, so pg_last_copy_count() is that COPY's row count.</summary>
    public string ManifestSql(long loadId) => ManifestText(Number(loadId));

    /// <summary>
    /// COPY ... FORMAT AS AVRO 'auto' leaves load_id, which is not in the Avro file, null; the rows of this COPY are then
    /// the only ones without a number (every earlier load numbered its own in its transaction), and get this load's.
    /// </summary>
    public string LoadIdSql(long loadId) => LoadIdText(Number(loadId));

    public string RowCountSql => $"select row_count from staging.loaded_files where file_hash = '{hash}';";

    /// <summary>The whole transaction as text (for review and the approval test).</summary>
    public string Script =>
        $"begin;\n{LockSql}\n{AlreadyLoadedSql}\n-- when the count is 0:\n{NextLoadIdSql}\n-- that number is <load_id> below\n{CopySql}\n" +
        $"{ManifestText("<load_id>")}\n{LoadIdText("<load_id>")}\n{RowCountSql}\ncommit;\n";

    private string ManifestText(string loadId) =>
        "insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at, load_id)\n" +
        $"    select {fileNameLiteral}, '{hash}', '{Source.Name}', pg_last_copy_count(), getdate(), {loadId};";

    private string LoadIdText(string loadId) => $"update {Table} set load_id = {loadId} where load_id is null;";

    private static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Builds the Redshift load of an Avro file staged in S3. The object key is the file's content hash, so re-uploading the
/// same file overwrites the same object, and the manifest row (<c>staging.loaded_files</c>, keyed by that hash) is
/// written in the same transaction as the COPY: a retry after a failure either finds the row and does nothing, or
/// finds no row and no rows copied. Redshift does not enforce primary keys, so the manifest table is locked first:
/// two loaders of one file serialise instead of both passing the check. Statements carry no parameters (values are
/// literals, validated or hex), as the issue asks for Redshift.
/// COPY from Avro: https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-avro.html ('auto' maps
/// Avro field names to column names); pg_last_copy_count(): https://docs.aws.amazon.com/redshift/latest/dg/PG_LAST_COPY_COUNT.html.
/// loaded_at is GETDATE() (https://docs.aws.amazon.com/redshift/latest/dg/r_GETDATE.html, UTC by default) rather than
/// SYSDATE: both are Redshift functions missing from PostgreSQL, but a function call can be stood in for on PostgreSQL
/// (the load tests define getdate() and pg_last_copy_count() there) and a bare keyword cannot, so the very text
/// Redshift gets is also run by the tests.
/// </summary>
public static class RedshiftCopy
{
    public static RedshiftLoadPlan Plan(S3Target target, Source source, string fileName, string sha256Hex)
    {
        if (sha256Hex.Length != 64 || !sha256Hex.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("expected a lower-case hex SHA-256", nameof(sha256Hex));
        }
        var key = (target.Prefix.Length == 0 ? "" : target.Prefix + "/") + $"{source.Name}/{sha256Hex}.avro";
        var uri = $"s3://{target.Bucket}/{key}";
        // The Redshift variant of V0001 lands Avro in staging.<source>_avro (event_at as epoch microseconds).
        var table = source.StagingTable + "_avro";
        return new RedshiftLoadPlan(
            source,
            table,
            key,
            uri,
            $"copy {table} from {Literal(uri)}\n    iam_role {Literal(target.IamRoleArn)}\n    format as avro 'auto';",
            Literal(Path.GetFileName(fileName)),
            sha256Hex);
    }

    /// <summary>A SQL string literal: single quotes doubled, and only printable text (file names come from users).</summary>
    public static string Literal(string value)
    {
        if (value.Any(char.IsControl))
        {
            throw new WarehouseException($"refusing a value with control characters in a COPY statement: {value.ReplaceLineEndings(" ")}");
        }
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
