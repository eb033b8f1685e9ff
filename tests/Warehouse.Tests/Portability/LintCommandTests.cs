using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Portability;

/// <summary><c>warehouse lint</c> as a process: file:line: rule per violation, exit 3; a summary and exit 0 when clean.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class LintCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lintcli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Lint_WithViolations_PrintsFileLineRuleAndExitsThree()
    {
        File.WriteAllText(Path.Combine(_folder, "V0001__bad.sql"), "create table t (\n    id bigint,\n    note text\n);\n");
        File.WriteAllText(Path.Combine(_folder, "R__view.sql"), "create view v as\nselect * from t where id is distinct from 1;\n");

        var result = await Infrastructure.Cli.RunAsync("lint", "--migrations", _folder);

        Assert.True(result.ExitCode == 3, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("V0001__bad.sql:3: text-type: ", lines[0]);
        Assert.StartsWith("R__view.sql:2: is-distinct-from: ", lines[1]);
        Assert.Contains("error: 2 portability violation(s)", result.Stderr);
    }

    [Fact]
    public async Task Lint_WhenClean_PrintsSummaryAndExitsZero()
    {
        File.WriteAllText(Path.Combine(_folder, "V0001__good.sql"), "-- text in a comment\ncreate table t (id bigint, note varchar(200));\n");

        var result = await Infrastructure.Cli.RunAsync("lint", "--migrations", _folder);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("portable: 1 script(s) checked", result.Stdout);
    }
}
