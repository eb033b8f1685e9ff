using System.Diagnostics;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Cli;

/// <summary>The warehouse executable run as a process: exit codes and one-line errors.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class FoundationCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void AssertOneLineError(Infrastructure.Cli.Result result, string expected)
    {
        Assert.NotEqual(0, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Migrate_WithMissingMigrationsFolder_PrintsOneLineAndFails()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WithMissingMigrationsFolder_PrintsOneLineAndFails));

        var result = await Infrastructure.Cli.RunAsync("migrate", "--database", TestDatabase.UrlFor(db), "--migrations", "/nonexistent/migrations");

        AssertOneLineError(result, "migrations folder not found: /nonexistent/migrations");
    }

    [Fact]
    public async Task Migrate_WithSyntaxError_NamesFileAndLine()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WithSyntaxError_NamesFileAndLine));
        File.WriteAllText(Path.Combine(_folder, "V0001__bad.sql"), "create table t (x int);\ncreate tabel u (y int);\n");

        var result = await Infrastructure.Cli.RunAsync("migrate", "--database", TestDatabase.UrlFor(db), "--migrations", _folder);

        AssertOneLineError(result, "V0001__bad.sql:2: syntax error at or near \"tabel\"");
    }

    [Fact]
    public async Task Migrate_WithWrongUrl_PrintsOneLineWithoutThePassword()
    {
        var result = await Infrastructure.Cli.RunAsync("migrate", "--database", "postgresql://someone:s3cret@127.0.0.1:1/nowhere");

        AssertOneLineError(result, "cannot connect to the database at 127.0.0.1:1/nowhere");
        Assert.DoesNotContain("s3cret", result.Stderr + result.Stdout);
    }

    [Fact]
    public async Task Migrate_WithMalformedUrl_PrintsOneLine()
    {
        var result = await Infrastructure.Cli.RunAsync("info", "--database", "mysql://x@y/z");

        AssertOneLineError(result, "not a database URL");
    }

    [Fact]
    public async Task InfoAndValidate_ListEveryScriptAndReportDrift()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(InfoAndValidate_ListEveryScriptAndReportDrift));
        File.WriteAllText(Path.Combine(_folder, "V0001__a.sql"), "create table a (x int);");
        File.WriteAllText(Path.Combine(_folder, "R__v.sql"), "create or replace view v as select x from a;");
        string[] common = ["--database", TestDatabase.UrlFor(db), "--migrations", _folder];

        var before = await Infrastructure.Cli.RunAsync(["validate", .. common]);
        Assert.Equal(3, before.ExitCode);
        var migrate = await Infrastructure.Cli.RunAsync(["migrate", .. common]);
        Assert.Equal(0, migrate.ExitCode);
        var info = await Infrastructure.Cli.RunAsync(["info", .. common]);
        var after = await Infrastructure.Cli.RunAsync(["validate", .. common]);

        var lines = info.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^applied\s+V0001__a\.sql\s+\d{4}-\d\d-\d\d", lines[0]);
        Assert.Matches(@"^applied\s+R__v\.sql", lines[1]);
        Assert.Equal(0, after.ExitCode);
    }

    [Fact]
    public async Task UnknownOption_IsAUsageError()
    {
        var result = await Infrastructure.Cli.RunAsync("migrate", "--no-such-option");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--no-such-option", result.Stderr);
    }

    [Fact]
    public async Task DbUrl_StartsTheEmbeddedClusterAndPrintsAUrlThatPsqlAccepts()
    {
        // A cluster of its own under /tmp (not the project's .warehouse/pg), stopped at the end.
        var home = Path.Combine(Path.GetTempPath(), $"warehouse-cli-{Guid.NewGuid():N}");
        var environment = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = home };
        try
        {
            var url = await Infrastructure.Cli.RunAsync(["db", "url"], environment);
            Assert.True(url.ExitCode == 0, url.ToString());
            Assert.Matches(@"^postgresql://warehouse:[0-9a-f]{64}@127\.0\.0\.1:\d+/warehouse$", url.Stdout.Trim());

            var psql = Process.Start(new ProcessStartInfo("psql", [url.Stdout.Trim(), "-tAc", "show lc_collate"]) { RedirectStandardOutput = true })!;
            var collation = (await psql.StandardOutput.ReadToEndAsync()).Trim();
            await psql.WaitForExitAsync();
            Assert.Equal("C", collation);

            var status = await Infrastructure.Cli.RunAsync(["db", "status"], environment);
            Assert.StartsWith("running: postgresql://", status.Stdout);
        }
        finally
        {
            await Infrastructure.Cli.RunAsync(["db", "stop"], environment);
            if (Directory.Exists(home))
            {
                Directory.Delete(home, recursive: true);
            }
        }
    }
}
