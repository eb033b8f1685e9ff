using System.Text.RegularExpressions;
using Warehouse.Core.Migrations;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Portability;

/// <summary>
/// <c>warehouse migrate --target redshift --dry-run</c> with no database: the complete script Redshift would run, kept
/// stable by an approval file. When migrations change on purpose, regenerate and review the diff:
/// <code>WAREHOUSE_APPROVE=1 dotnet test tests/Warehouse.Tests --filter "FullyQualifiedName~Portability.RedshiftDryRunTests"</code>
/// (or <c>WAREHOUSE_APPROVE=1 ./warehouse test --filter Portability</c>), then commit
/// tests/Warehouse.Tests/Portability/approved/redshift-dry-run.sql.
/// </summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed partial class RedshiftDryRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dryrun-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string ApprovedDirectory => Path.Combine(TestDatabase.RepoRoot, "tests", "Warehouse.Tests", "Portability", "approved");

    /// <summary>Checksums change with every edit of a script; the script text in the approval file shows the change.</summary>
    private static string Scrub(string output) => Checksum().Replace(output.Replace("\r\n", "\n"), "(checksum <scrubbed>)");

    [Fact]
    public async Task MigrateDryRun_ForRedshiftWithoutDatabase_MatchesTheApprovedScript()
    {
        var home = Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;

        var result = await Infrastructure.Cli.RunAsync(["migrate", "--target", "redshift", "--dry-run"],
            new Dictionary<string, string> { ["WAREHOUSE_HOME"] = home }, timeout: TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(home)); // the embedded PostgreSQL cluster was not started
        Approve("redshift-dry-run.sql", Scrub(result.Stdout));
    }

    [Fact]
    public void DryRunOffline_ChoosesRedshiftVariantsAndResolvesDialectVariables()
    {
        File.WriteAllText(Path.Combine(_folder, "V0001__tables.sql"), "create table t (at timestamp default ${now});\n");
        File.WriteAllText(Path.Combine(_folder, "R__lists.sql"), "create view lists as select array_agg(x) as xs from t;\n");
        File.WriteAllText(Path.Combine(_folder, "R__lists.redshift.sql"), "create view lists as select listagg(x, ',') as xs from t;\n");
        File.WriteAllText(Path.Combine(_folder, "R__other.postgres.sql"), "create view other as select 1 as x;\n");

        var redshift = new StringWriter();
        var postgres = new StringWriter();
        MigrationRunner.DryRunOffline(new MigrationOptions { Directory = _folder, Target = "redshift" }, redshift);
        MigrationRunner.DryRunOffline(new MigrationOptions { Directory = _folder, Target = "postgres" }, postgres);

        Assert.Contains("create table t (at timestamp default sysdate);", redshift.ToString());
        Assert.Contains("listagg(x, ',')", redshift.ToString());
        Assert.DoesNotContain("array_agg", redshift.ToString());
        Assert.DoesNotContain("other", redshift.ToString());
        Assert.Contains("create table t (at timestamp default transaction_timestamp());", postgres.ToString());
        Assert.Contains("array_agg(x)", postgres.ToString());
        Assert.Contains("create view other", postgres.ToString());
        Assert.Contains("-- dry run: 3 script(s) would be applied", postgres.ToString());
    }

    /// <summary>Compares with the approved file; on a mismatch writes <c>.received</c> next to it and fails with a diff hint.</summary>
    internal static void Approve(string name, string received)
    {
        var approvedPath = Path.Combine(ApprovedDirectory, name);
        var receivedPath = Path.Combine(ApprovedDirectory, Path.GetFileNameWithoutExtension(name) + ".received" + Path.GetExtension(name));
        if (Environment.GetEnvironmentVariable("WAREHOUSE_APPROVE") == "1")
        {
            Directory.CreateDirectory(ApprovedDirectory);
            File.WriteAllText(approvedPath, received);
            File.Delete(receivedPath);
            return;
        }
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).Replace("\r\n", "\n") : null;
        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, received);
        Assert.Fail(approved is null
            ? $"no approved file {approvedPath}; review {receivedPath} and rename it, or run with WAREHOUSE_APPROVE=1"
            : $"output differs from {approvedPath}; see `diff {approvedPath} {receivedPath}`, and if the change is intended " +
              "run the test with WAREHOUSE_APPROVE=1 and commit the approved file");
    }

    [GeneratedRegex(@"\(checksum [0-9a-f]{64}\)")]
    private static partial Regex Checksum();
}
