using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Npgsql;
using Warehouse.Core;
using Warehouse.Core.Avro;
using Warehouse.Core.Load;
using Warehouse.Core.Portability;
using Warehouse.Tests.Infrastructure;
using Warehouse.Tests.Remote;

namespace Warehouse.Tests.Portability;

/// <summary>
/// <c>warehouse load --target redshift</c> up to the wire: the upload runs against a real S3-compatible server (s3rver on
/// loopback), the transaction against a real PostgreSQL database. PostgreSQL has no <c>COPY ... FORMAT AS AVRO</c>, so
/// the COPY itself is stood in for by <see cref="PostgresCopyStandIn"/>, which does what Redshift would: reads the very
/// object the COPY names from S3 and copies its records into the table the COPY names (staging.&lt;source&gt;_avro, made as
/// the Redshift variant makes it) on the loader's connection, inside its
/// transaction, then sets what Redshift's pg_last_copy_count() would answer. Every other statement is the exact text
/// Redshift gets. Nothing here ran on Redshift.
/// </summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed partial class RedshiftLoaderTests(S3rverServer s3) : IClassFixture<S3rverServer>, IDisposable
{
    private const string Role = "arn:aws:iam::123456789012:role/warehouse-copy";
    private readonly string _folder = Directory.CreateTempSubdirectory("redshift-load-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// A migrated PostgreSQL database with stand-ins for the two Redshift functions the manifest row uses:
    /// pg_last_copy_count() (set by <see cref="PostgresCopyStandIn"/> for its transaction) and getdate().
    /// </summary>
    private static async Task<string> DatabaseAsync(string name)
    {
        var db = await TestDatabase.CreateMigratedAsync(name);
        await TestDatabase.ExecuteAsync(db, """
            create function public.pg_last_copy_count() returns bigint language sql stable
                as $$ select cast(current_setting('warehouse_test.last_copy_count') as bigint) $$;
            create function public.getdate() returns timestamp language sql stable
                as $$ select transaction_timestamp() at time zone 'UTC' $$;
            """);
        await TestDatabase.ExecuteAsync(db, RedshiftCopyTargets());
        // As the CLI connects to Redshift: no type loading.
        return Dialect.Redshift.ConnectionString(db);
    }

    /// <summary>
    /// The COPY targets staging.&lt;source&gt;_avro as the Redshift variants define them (V0001's create table without
    /// DISTKEY/SORTKEY, which PostgreSQL lacks; V0061's load_id column), so the stand-in fills the very table the COPY names.
    /// </summary>
    private static string RedshiftCopyTargets()
    {
        var tables = CopyTargetTable().Matches(TestDatabase.MigrationText("V0001__staging_tables.redshift.sql"))
            .Select(m => m.Groups["table"].Value.TrimEnd() + ";").ToList();
        var loadIds = TestDatabase.MigrationText("V0061__staging_load_ids.redshift.sql").Split('\n')
            .Where(line => line.StartsWith("alter table staging.", StringComparison.Ordinal) && line.Contains("_avro add column load_id", StringComparison.Ordinal))
            .ToList();
        Assert.Equal((4, 4), (tables.Count, loadIds.Count));
        return string.Join("\n", tables.Concat(loadIds));
    }

    /// <summary>"create table staging.x_avro ( ... )" up to the closing parenthesis; the distkey/sortkey lines after it are left out.</summary>
    [GeneratedRegex(@"(?<table>create table staging\.\w+_avro \(.*?\n\))", RegexOptions.Singleline)]
    private static partial Regex CopyTargetTable();

    private async Task<S3Target> BucketAsync(string bucket)
    {
        await s3.CreateBucketAsync(bucket);
        return S3Target.Parse($"s3://{bucket}/landing", Role);
    }

    private string HttpLogAvro(string name, params string[] lines) => TestFiles.HttpLogAvro(_folder, name, lines);

    private string TwoRequests() => HttpLogAvro("http_log.avro",
        "2019-08-27T00:07:05+00:00 POST /rewards/1529 u1", "2019-08-27T00:08:06Z GET /campaigns/7 u'2");

    private RedshiftLoader Loader(string db, IAmazonS3 client, S3Target target, IRedshiftCopyExecutor? copy = null, TextWriter? log = null) =>
        new(db, client, target, copy ?? new PostgresCopyStandIn(client), log ?? TextWriter.Null) { FirstBackoff = TimeSpan.FromMilliseconds(10) };

    /// <summary>What a converted file is known by: the hash of the raw text it was converted from.</summary>
    private static string Sha256(string path) => LoadIdentity.OfAvroFile(path).Hash;

    private static Task<long> CountAsync(string db, string sql) => TestDatabase.ScalarAsync<long>(db, sql);

    [Fact]
    public async Task Load_UploadsUnderTheContentHashAndCommitsRowsWithTheManifestRow()
    {
        var db = await DatabaseAsync(nameof(Load_UploadsUnderTheContentHashAndCommitsRowsWithTheManifestRow));
        var target = await BucketAsync("first-load");
        var file = TwoRequests();
        var hash = Sha256(file);
        using var client = s3.Client();

        var result = await Loader(db, client, target).LoadAsync(file);

        Assert.Equal(UploadOutcome.Uploaded, result.Upload);
        Assert.Equal($"s3://first-load/landing/http_log/{hash}.avro", result.S3Uri);
        Assert.Equal((2L, false, "http_log"), (result.Load.Rows, result.Load.AlreadyLoaded, result.Load.Source));
        using (var stored = await client.GetObjectAsync("first-load", $"landing/http_log/{hash}.avro"))
        using (var bytes = new MemoryStream())
        {
            await stored.ResponseStream.CopyToAsync(bytes);
            Assert.Equal(File.ReadAllBytes(file), bytes.ToArray());
        }
        Assert.Equal(2, await CountAsync(db, "select count(*) from staging.http_log_avro where user_id in ('u1', 'u''2') and load_id = 1"));
        Assert.Equal(1, await CountAsync(db,
            $"select count(*) from staging.loaded_files where file_hash = '{hash}' and file_name = 'http_log.avro' and source = 'http_log' and row_count = 2 and load_id = 1"));
        RedshiftDryRunTests.Approve("redshift-load-statements.sql", Scrub(string.Join("\n", result.Statements) + "\n"));
    }

    [Fact]
    public async Task Load_TwoFiles_NumbersEachFilesRowsWithItsOwnLoad()
    {
        var db = await DatabaseAsync(nameof(Load_TwoFiles_NumbersEachFilesRowsWithItsOwnLoad));
        var target = await BucketAsync("two-files");
        var first = TwoRequests();
        var second = HttpLogAvro("later.avro", "2019-08-28T10:00:00Z GET /campaigns/8 u3", "2019-08-28T10:00:01Z GET /campaigns/9 u3",
            "2019-08-28T10:00:02Z GET /rewards/10 u4");
        using var client = s3.Client();

        await Loader(db, client, target).LoadAsync(first);
        var later = await Loader(db, client, target).LoadAsync(second);

        Assert.Equal(3, later.Load.Rows);
        Assert.Equal(2, await CountAsync(db, "select count(*) from staging.http_log_avro where load_id = 1 and user_id in ('u1', 'u''2')"));
        Assert.Equal(3, await CountAsync(db, "select count(*) from staging.http_log_avro where load_id = 2 and user_id in ('u3', 'u4')"));
        Assert.Equal(2, await CountAsync(db, $"select load_id from staging.loaded_files where file_hash = '{Sha256(second)}' and row_count = 3"));
    }

    [Fact]
    public async Task Load_SameFileAgain_NeitherUploadsNorLoads()
    {
        var db = await DatabaseAsync(nameof(Load_SameFileAgain_NeitherUploadsNorLoads));
        var target = await BucketAsync("again");
        var file = TwoRequests();
        using var client = s3.Client();
        await Loader(db, client, target).LoadAsync(file);
        var uploadedAt = (await client.GetObjectMetadataAsync("again", $"landing/http_log/{Sha256(file)}.avro")).LastModified;

        var second = await Loader(db, client, target).LoadAsync(file);

        Assert.True(second.Load.AlreadyLoaded);
        Assert.Equal(UploadOutcome.NotNeeded, second.Upload);
        Assert.Equal([$"select count(*) from staging.loaded_files where file_hash = '{Sha256(file)}';"], second.Statements);
        Assert.Equal(uploadedAt, (await client.GetObjectMetadataAsync("again", $"landing/http_log/{Sha256(file)}.avro")).LastModified);
        Assert.Equal(2, await CountAsync(db, "select count(*) from staging.http_log_avro"));
        Assert.Equal(1, await CountAsync(db, "select count(*) from staging.loaded_files"));
    }

    [Fact]
    public async Task Load_AnotherConversionOfTheSameRawFile_NeitherUploadsNorLoads()
    {
        var db = await DatabaseAsync(nameof(Load_AnotherConversionOfTheSameRawFile_NeitherUploadsNorLoads));
        var target = await BucketAsync("reconverted");
        var first = Path.Combine(_folder, "first.avro");
        File.Move(TwoRequests(), first);
        var again = TwoRequests(); // converted anew: other sync markers, other bytes, the same raw text
        using var client = s3.Client();

        await Loader(db, client, target).LoadAsync(first);
        var second = await Loader(db, client, target).LoadAsync(again);

        Assert.NotEqual(File.ReadAllBytes(first), File.ReadAllBytes(again));
        Assert.True(second.Load.AlreadyLoaded);
        Assert.Equal(2, await CountAsync(db, "select count(*) from staging.http_log_avro"));
    }

    [Fact]
    public async Task Load_WhenTheConnectionDropsAfterTheCopy_LeavesNothingAndTheRetrySkipsTheUpload()
    {
        var db = await DatabaseAsync(nameof(Load_WhenTheConnectionDropsAfterTheCopy_LeavesNothingAndTheRetrySkipsTheUpload));
        var target = await BucketAsync("retry");
        var file = TwoRequests();
        using var client = s3.Client();
        var failing = new PostgresCopyStandIn(client) { AfterCopy = () => throw new IOException("connection to the cluster lost") };

        var failure = await Assert.ThrowsAsync<IOException>(() => Loader(db, client, target, failing).LoadAsync(file));
        var rowsAfterFailure = await CountAsync(db, "select count(*) from staging.http_log_avro");
        var retry = await Loader(db, client, target).LoadAsync(file);

        Assert.Equal(2, failing.RowsCopied);   // the failure came after the rows were in the table, uncommitted
        Assert.Equal(0, rowsAfterFailure);
        Assert.Equal(UploadOutcome.AlreadyThere, retry.Upload);
        Assert.Equal(2, retry.Load.Rows);
        Assert.Equal(2, await CountAsync(db, "select count(*) from staging.http_log_avro"));
        Assert.Equal(1, await CountAsync(db, "select count(*) from staging.loaded_files"));
    }

    [Fact]
    public async Task Load_WhenTheManifestRowFails_RollsBackTheCopiedRows()
    {
        var db = await DatabaseAsync(nameof(Load_WhenTheManifestRowFails_RollsBackTheCopiedRows));
        var target = await BucketAsync("manifest-fails");
        var file = TwoRequests();
        using var client = s3.Client();
        // Without the copy count the manifest insert (pg_last_copy_count()) fails after the rows were copied.
        var noCount = new PostgresCopyStandIn(client) { SetCopyCount = false };

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Loader(db, client, target, noCount).LoadAsync(file));

        Assert.StartsWith($"http_log.avro: loading s3://manifest-fails/landing/http_log/{Sha256(file)}.avro failed: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("nothing of this file was loaded", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, noCount.RowsCopied);
        Assert.Equal(0, await CountAsync(db, "select count(*) from staging.http_log_avro"));
        Assert.Equal(0, await CountAsync(db, "select count(*) from staging.loaded_files"));
    }

    [Fact]
    public async Task Load_TwoLoadersOfOneFileAtOnce_LoadItOnce()
    {
        var db = await DatabaseAsync(nameof(Load_TwoLoadersOfOneFileAtOnce_LoadItOnce));
        var target = await BucketAsync("race");
        var file = TwoRequests();
        using var client = s3.Client();

        var results = await Task.WhenAll(Loader(db, client, target).LoadAsync(file), Loader(db, client, target).LoadAsync(file));

        Assert.Equal(1, results.Count(r => !r.Load.AlreadyLoaded));
        Assert.Equal(2, await CountAsync(db, "select count(*) from staging.http_log_avro"));
        Assert.Equal(1, await CountAsync(db, "select count(*) from staging.loaded_files"));
    }

    [Fact]
    public async Task Load_OfAFileThatIsNotAnInputAvro_FailsBeforeAnythingIsUploaded()
    {
        var db = await DatabaseAsync(nameof(Load_OfAFileThatIsNotAnInputAvro_FailsBeforeAnythingIsUploaded));
        var target = await BucketAsync("refused");
        using var client = s3.Client();

        var error = await Assert.ThrowsAsync<WarehouseException>(() =>
            Loader(db, client, target).LoadAsync(Path.Combine(TestDatabase.SharedData, "avro", "weather.avro")));

        Assert.Contains("test.Weather is not a known source", error.Message, StringComparison.Ordinal);
        Assert.Empty((await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "refused" })).S3Objects ?? []);
    }

    [Fact]
    public async Task Cli_LoadTargetRedshift_UploadsThenFailsAtTheCopyThatOnlyRedshiftUnderstands()
    {
        var connection = await TestDatabase.CreateMigratedAsync(nameof(Cli_LoadTargetRedshift_UploadsThenFailsAtTheCopyThatOnlyRedshiftUnderstands));
        await s3.CreateBucketAsync("cli-load");
        var file = TwoRequests();
        var environment = new Dictionary<string, string>
        {
            ["WAREHOUSE_HOME"] = _folder,
            ["AWS_ACCESS_KEY_ID"] = "S3RVER",
            ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
            ["AWS_REGION"] = "us-east-1",
        };

        var run = await Infrastructure.Cli.RunAsync(["load", "--target", "redshift", "--s3", "s3://cli-load/in", "--iam-role", Role,
            "--s3-endpoint", s3.Endpoint, "--database", TestDatabase.UrlFor(connection), file], environment);

        // PostgreSQL refuses Redshift's COPY syntax: the command gets as far as the wire, then says so in one line.
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"http_log.avro: uploaded to s3://cli-load/in/http_log/{Sha256(file)}.avro", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"^error: http_log\.avro: loading s3://cli-load/in/http_log/[0-9a-f]{64}\.avro failed: syntax error .*nothing of this file was loaded\n$",
            run.Stderr.Replace("\r\n", "\n"));
        Assert.Equal(0, await CountAsync(connection, "select count(*) from staging.loaded_files"));
    }

    [Theory]
    [InlineData(new[] { "--target", "redshift", "--iam-role", Role }, "error: --target redshift loads through S3: give --s3")]
    [InlineData(new[] { "--s3", "s3://bucket/x", "--iam-role", Role }, "error: --s3 and --iam-role stage files for Redshift: add --target redshift")]
    [InlineData(new[] { "--target", "redshift", "--s3", "s3://bucket/x", "--iam-role", "role" }, "error: --target redshift needs the cluster")]
    public async Task Cli_LoadWithIncompleteRedshiftOptions_SaysWhatIsMissing(string[] options, string expected)
    {
        var file = TwoRequests();
        var environment = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _folder, ["WAREHOUSE_DATABASE_URL"] = "" };

        var run = await Infrastructure.Cli.RunAsync(["load", .. options, file], environment);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith(expected, run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The content hash differs with every converter run (Avro sync markers are random); the approval shows the rest.</summary>
    private static string Scrub(string statements) => Sha256Hex().Replace(statements, "<sha256>");

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex Sha256Hex();
}

/// <summary>
/// Stands in for Redshift's <c>COPY ... FROM 's3://...' FORMAT AS AVRO 'auto'</c> on PostgreSQL: reads the object the
/// plan names from S3 and copies its records into the plan's table with the loader's own Avro copier, on
/// the loader's connection and transaction; then sets what pg_last_copy_count() answers for that transaction.
/// </summary>
internal sealed class PostgresCopyStandIn(IAmazonS3 client) : IRedshiftCopyExecutor
{
    public bool SetCopyCount { get; init; } = true;
    public Action? AfterCopy { get; init; }
    public long RowsCopied { get; private set; }

    public async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RedshiftLoadPlan plan, CancellationToken ct)
    {
        var location = plan.S3Uri["s3://".Length..];
        var bucket = location[..location.IndexOf('/', StringComparison.Ordinal)];
        using var response = await client.GetObjectAsync(bucket, location[(bucket.Length + 1)..], ct);
        using var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body, ct);
        body.Position = 0;
        using var reader = new AvroContainerReader(body, plan.S3Uri);
        // Like COPY ... FORMAT AS AVRO 'auto': fields into the columns of the same name, load_id left null.
        RowsCopied = await StagingLoader.CopyRecordsAsync(connection, reader, plan.Table, plan.S3Uri, loadId: null, ct);
        if (SetCopyCount)
        {
            await using var set = new NpgsqlCommand(
                $"select set_config('warehouse_test.last_copy_count', '{RowsCopied}', true)", connection, transaction);
            await set.ExecuteNonQueryAsync(ct);
        }
        AfterCopy?.Invoke();
    }
}
