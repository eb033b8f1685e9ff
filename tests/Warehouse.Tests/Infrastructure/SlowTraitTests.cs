using System.Text.RegularExpressions;

namespace Warehouse.Tests.Infrastructure;

/// <summary>
/// `./warehouse test --fast` leaves out test classes marked [Trait("Speed", "slow")]. A test that starts a process (the
/// CLI, Python, Chromium), an S3 server or a container must carry the mark, or the fast suite quietly grows slow.
/// </summary>
public sealed partial class SlowTraitTests
{
    [Fact]
    public void TestsThatStartProcessesOrServers_AreMarkedSlow()
    {
        var folder = Path.Combine(TestDatabase.RepoRoot, "tests", "Warehouse.Tests");
        var unmarked = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetFileName(f) != "SlowTraitTests.cs")
            .Where(f =>
            {
                var source = File.ReadAllText(f);
                return TestAttribute().IsMatch(source) && StartsSomething().IsMatch(source)
                    && !source.Contains("[Trait(\"Speed\", \"slow\")]", StringComparison.Ordinal);
            })
            .Select(f => Path.GetRelativePath(folder, f))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Empty(unmarked);
    }

    [GeneratedRegex(@"\[(Fact|Theory|ContainerLaneFact)\b")]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"\bCli(Process)?\.RunAsync\(|AvroTestSupport\.Run\(|Process\.Start\(|Playwright|S3rverServer|ContainerLaneFact")]
    private static partial Regex StartsSomething();
}
