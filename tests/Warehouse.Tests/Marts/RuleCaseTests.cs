namespace Warehouse.Tests.Marts;

/// <summary>
/// The rule tests kept as data under tests/sql (tests/sql/README.md): one test case per folder, named by its path.
/// Adding a case is adding a folder; nothing here names a model. The core models' cases run here and the marts' in
/// <see cref="MartRuleCaseTests"/>: two classes, so xUnit runs the two halves side by side.
/// </summary>
public sealed class RuleCaseTests
{
    public static TheoryData<string> Cases() => [.. RuleCase.Discover(RuleCase.Root).Where(c => !RuleCase.IsMart(c))];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Folder_ModelHoldsExactlyTheExpectedRows(string folder)
    {
        var difference = await RuleCase.RunAsync(RuleCase.Root, folder, RuleCase.OneJob);

        Assert.True(difference is null, $"{folder}\n{difference}");
    }

    [Fact]
    public void Discovery_FindsCasesOfSessionsAndMarts()
    {
        var cases = RuleCase.Discover(RuleCase.Root).ToList();

        Assert.Contains(cases, c => c.StartsWith("core.sessions/", StringComparison.Ordinal));
        Assert.Contains(cases, c => c.StartsWith("marts.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongExpectation_FailsWithTheMissingAndUnexpectedRows()
    {
        // RuleCaseSelfTest/core.sessions/wrong_expect expects one session where the exact-threshold gap makes two
        var root = Path.Combine(Infrastructure.TestDatabase.RepoRoot, "tests", "Warehouse.Tests", "Marts", "RuleCaseSelfTest");

        var difference = await RuleCase.RunAsync(root, "core.sessions/wrong_expect", RuleCase.OneJob);

        Assert.Equal("""
            core.sessions: 1 rows expected, 2 found; columns user_id,session_number,session_start,event_count
            missing (in expect.csv, not in core.sessions): 1
              1001,1,2019-08-27T10:00:00Z,2
            unexpected (in core.sessions, not in expect.csv): 2
              1001,1,2019-08-27T10:00:00Z,1
              1001,2,2019-08-27T10:05:00Z,1

            """.ReplaceLineEndings(), difference);
    }

    [Theory]
    [InlineData("3", typeof(decimal), "3.000000")]
    [InlineData("299.999", typeof(decimal), "299.999000")]
    [InlineData("2024-05-01T23:30:00-05:00", typeof(DateTime), "2024-05-02T04:30:00Z")]
    [InlineData("t", typeof(bool), "true")]
    [InlineData("[\"10\", \"11\"]", typeof(string[]), "[\"10\",\"11\"]")]
    [InlineData("", typeof(string), "")]
    [InlineData("not a number", typeof(long), "not a number")]
    public void ExpectedCell_IsReadByTheColumnsType(string cell, Type type, string expected) =>
        Assert.Equal(expected, RuleCase.Normalise(cell, type));
}

/// <summary>The marts' rule cases under tests/sql, run beside the core models' (<see cref="RuleCaseTests"/>).</summary>
public sealed class MartRuleCaseTests
{
    public static TheoryData<string> Cases() => [.. RuleCase.Discover(RuleCase.Root).Where(RuleCase.IsMart)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Folder_ModelHoldsExactlyTheExpectedRows(string folder)
    {
        var difference = await RuleCase.RunAsync(RuleCase.Root, folder, RuleCase.OneJob);

        Assert.True(difference is null, $"{folder}\n{difference}");
    }
}

/// <summary>
/// Every rule case again, its full refreshes split into three buckets of users on two jobs, each user in the bucket its
/// hash gives: a rule must not depend on how the users are split.
/// </summary>
[Trait("Speed", "slow")]
public sealed class RuleCaseOnBucketsTests
{
    public static TheoryData<string> Cases() => [.. RuleCase.Discover(RuleCase.Root)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Folder_ModelHoldsExactlyTheExpectedRows_WhenUsersAreSplitIntoBuckets(string folder)
    {
        var difference = await RuleCase.RunAsync(RuleCase.Root, folder, new Warehouse.Core.Refresh.RefreshOptions { Jobs = 2, Buckets = 3 });

        Assert.True(difference is null, $"{folder}\n{difference}");
    }
}
