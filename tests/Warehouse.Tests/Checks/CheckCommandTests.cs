using System.Text.RegularExpressions;
using Warehouse.Tests.Infrastructure;
using Warehouse.Tests.Marts;

namespace Warehouse.Tests.Checks;

/// <summary>
/// <c>warehouse check</c> and <c>run</c> against a real database: the sample passes every declared data test; a violation
/// planted in the core tables or the rule tables behind a mart fails the test of each kind, with the offending rows.
/// </summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed partial class CheckCommandTests : IDisposable
{
    private readonly List<string> _temporary = [];

    public void Dispose()
    {
        foreach (var directory in _temporary)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private string TemporaryDirectory(string prefix)
    {
        var directory = Directory.CreateTempSubdirectory(prefix).FullName;
        _temporary.Add(directory);
        return directory;
    }

    private static Task<Infrastructure.Cli.Result> CheckAsync(string connectionString, params string[] more) =>
        Infrastructure.Cli.RunAsync(["check", "--database", TestDatabase.UrlFor(connectionString), .. more]);

    /// <summary>Two HTTP-log users with sessions, a mapped campaign and a reward it drove, refreshed: every test passes.</summary>
    private static async Task<WarehouseDatabase> HttpLogDatabaseAsync(string name)
    {
        var db = await WarehouseDatabase.CreateAsync(name);
        await db.MappingAsync(("1", "2"));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /campaigns/1 u1",
            "2019-08-27T10:01:00Z POST /rewards/2 u1",
            "2019-08-27T11:00:00Z GET /home u2");
        // reading through the helper runs a full refresh first
        Assert.Equal(["2"], await db.RowsAsync("select count(*) from core.sessions"));
        return db;
    }

    [Fact]
    public async Task RunAndCheck_OnTheSample_PassEveryDeclaredDataTest()
    {
        var db = await TestDatabase.CreateEmptyAsync("check_sample");

        var run = await Infrastructure.Cli.RunAsync("run", "--database", TestDatabase.UrlFor(db), "--input", Path.Combine(TestDatabase.RepoRoot, "seeds", "sample"));
        var check = await CheckAsync(db);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(AllPassed(), run.Stdout);
        Assert.DoesNotContain("ok    marts.", run.Stdout);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Matches(AllPassed(), check.Stdout);
        Assert.Contains("ok    marts.daily_sessions unique: source, session_date: 0 failing rows", check.Stdout);
        Assert.Contains("ok    marts.campaign_reward_attribution relationships: campaign_id, reward_id -> staging.campaign_reward_mapping(campaign_id, reward_id): 0 failing rows", check.Stdout);
    }

    [Fact]
    public async Task Check_WhenASessionSummaryIsDuplicated_FailsUniqueShowingTheDuplicatedKey()
    {
        var db = await HttpLogDatabaseAsync("check_unique");
        await TestDatabase.ExecuteAsync(db.ConnectionString,
            "insert into core.fct_http_sessions select * from core.fct_http_sessions where user_id = 'u1'");

        var result = await CheckAsync(db.ConnectionString);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("FAIL  marts.campaign_performance unique: user_id, session_start: 1 failing row(s) (R__40_marts_campaign_performance.sql:", result.Stdout);
        Assert.Contains("        user_id=u1 | session_start=2019-08-27T10:00:00Z | occurrences=2", result.Stdout);
        Assert.Contains(" 1 failed", result.Stdout);
    }

    [Fact]
    public async Task Check_WhenASessionSummaryLostItsEndTime_FailsNotNullShowingTheRow()
    {
        var db = await HttpLogDatabaseAsync("check_not_null");
        await TestDatabase.ExecuteAsync(db.ConnectionString, "update core.fct_http_sessions set session_end = null where user_id = 'u2'");

        var result = await CheckAsync(db.ConnectionString);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("FAIL  marts.campaign_performance not_null: user_id, session_start, session_end, campaigns, rewards_issued, " +
            "reward_driven_by_campaign_view: 1 failing row(s)", result.Stdout);
        Assert.Contains("        user_id=u2 | session_start=2019-08-27T11:00:00Z | session_end=null | campaigns=[] | rewards_issued=[] | " +
            "reward_driven_by_campaign_view=false", result.Stdout);
        Assert.Contains(" 1 failed", result.Stdout);
    }

    [Fact]
    public async Task Check_WhenTheSessionsAreMissing_FailsRelationshipsToCoreSessions()
    {
        var db = await HttpLogDatabaseAsync("check_relationships");
        await TestDatabase.ExecuteAsync(db.ConnectionString, "delete from core.fct_sessions where user_id = 'u1'");

        var result = await CheckAsync(db.ConnectionString);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("FAIL  marts.campaign_performance relationships: user_id, session_start -> core.sessions(user_id, session_start): 1 failing row(s)", result.Stdout);
        Assert.Contains("FAIL  marts.campaign_reward_attribution relationships: session_id -> core.sessions(session_id): 1 failing row(s)", result.Stdout);
        Assert.Contains("        user_id=u1 | session_id=http_log:u1:1 | reward_id=2 | issued_at=2019-08-27T10:01:00Z | campaign_id=1 |", result.Stdout);
        Assert.DoesNotContain("user_id=u2", result.Stdout);
    }

    [Fact]
    public async Task Check_WhenADurationIsNegative_FailsTheExpression()
    {
        var db = await HttpLogDatabaseAsync("check_expression");
        // marts.daily_sessions reads the day rows the refresh keeps (core.fct_daily_sessions), not the sessions
        await TestDatabase.ExecuteAsync(db.ConnectionString, "update core.fct_daily_sessions set median_duration_seconds = -60");

        var result = await CheckAsync(db.ConnectionString);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("FAIL  marts.daily_sessions expression: median_duration_seconds >= 0: 1 failing row(s)", result.Stdout);
        Assert.Contains("        source=http_log | session_date=2019-08-27 | sessions=2 | users=2 | events=3 | median_duration_seconds=-60.000000", result.Stdout);
    }

    [Fact]
    public async Task RunAndCheck_WhenAReferrerRuleNamesAChannelTheMartsDoNotAccept_FailAcceptedValuesShowingTheRow()
    {
        var db = await TestDatabase.CreateMigratedAsync("check_accepted_values");
        // a rule added with a channel traffic_sources does not document: its sessions become channel 'email'
        await TestDatabase.ExecuteAsync(db, "insert into core.referrer_host_patterns values ('%.news.example', 'Newsletter', 'email')");
        var input = TemporaryDirectory("check-input-");
        const string Agent = "\"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0\"";
        // the site's own host is the log's most frequent referrer host: shop.example, from the stylesheet requests
        await File.WriteAllLinesAsync(Path.Combine(input, "access.log"),
        [
            $"192.0.2.1 - - [01/Mar/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 512 \"https://www.news.example/today\" {Agent}",
            $"192.0.2.1 - - [01/Mar/2024:10:00:01 +0000] \"GET /site.css HTTP/1.1\" 200 512 \"https://shop.example/\" {Agent}",
            $"192.0.2.2 - - [01/Mar/2024:11:00:00 +0000] \"GET /site.css HTTP/1.1\" 200 512 \"https://shop.example/\" {Agent}",
        ]);

        var run = await Infrastructure.Cli.RunAsync("run", "--database", TestDatabase.UrlFor(db), "--input", input);
        var check = await CheckAsync(db);

        const string Failure = "FAIL  marts.traffic_sources accepted_values: channel in (campaign, direct, internal, search, social, referral): " +
            "1 failing row(s) (R__44_marts_traffic_sources.sql:";
        const string Row = "        session_date=2024-03-01 | channel=email | referring_domain=www.news.example | utm_source=null | " +
            "utm_medium=null | utm_campaign=null | sessions=1 | page_views=1";
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains(Failure, run.Stdout);
        Assert.Contains(Row, run.Stdout);
        Assert.True(check.ExitCode == 3, check.ToString());
        Assert.Contains(Failure, check.Stdout);
        Assert.Contains(Row, check.Stdout);
        Assert.Contains(" 1 failed", check.Stdout);
    }

    [Fact]
    public async Task Check_WithAMalformedDeclaration_FailsInOneLineNamingFileAndLine()
    {
        var migrations = CopyOfMigrations();
        var mart = Path.Combine(migrations, "marts", "R__43_marts_daily_sessions.sql");
        File.AppendAllText(mart, "--   uniqe: source\n");
        var line = File.ReadAllLines(mart).Length;
        var db = await TestDatabase.CreateMigratedAsync("check_malformed");

        var result = await CheckAsync(db, "--migrations", migrations);

        Assert.True(result.ExitCode == 1, result.ToString());
        var error = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: R__43_marts_daily_sessions.sql:{line}: malformed test declaration: unknown test 'uniqe'", error);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Check_WhenADeclaredColumnDoesNotExist_FailsThatTestWithTheDatabaseErrorAndRunsTheOthers()
    {
        var migrations = CopyOfMigrations();
        File.AppendAllText(Path.Combine(migrations, "marts", "R__43_marts_daily_sessions.sql"), "--   not_null: session_day\n");
        var db = await TestDatabase.CreateMigratedAsync("check_bad_column");

        var result = await CheckAsync(db, "--migrations", migrations);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("FAIL  marts.daily_sessions not_null: session_day: error: column \"session_day\" does not exist (R__43_marts_daily_sessions.sql:", result.Stdout);
        Assert.Contains("ok    marts.daily_sessions unique: source, session_date: 0 failing rows", result.Stdout);
        Assert.Contains(" 1 failed", result.Stdout);
    }

    [Fact]
    public async Task Check_OnADatabaseNeverMigrated_SaysToMigrateInOneLine()
    {
        var db = await TestDatabase.CreateEmptyAsync("check_unmigrated");

        var result = await CheckAsync(db);

        Assert.True(result.ExitCode == 1, result.ToString());
        var error = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: the database is not migrated, so there is nothing to check; run ./warehouse migrate first, with the same --database", error);
    }

    private string CopyOfMigrations()
    {
        var copy = TemporaryDirectory("check-migrations-");
        foreach (var file in Directory.GetFiles(TestDatabase.MigrationsDirectory, "*.sql", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(TestDatabase.MigrationsDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    [GeneratedRegex(@"check: (\d+) data tests, \1 passed, 0 failed")]
    private static partial Regex AllPassed();
}
