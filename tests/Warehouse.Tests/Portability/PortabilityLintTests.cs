using Warehouse.Core.Portability;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Portability;

/// <summary>The portability lint over tiny scripts in a temp folder, one planted violation per rule, and over migrations/.</summary>
public sealed class PortabilityLintTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void Script(string name, string text) => File.WriteAllText(Path.Combine(_folder, name), text);

    private const string Header = "-- a harmless first line\ncreate view v as\n";

    // The planted violation is always on line 3 of V0001__planted.sql, after two clean lines.
    [Theory]
    [InlineData("window-frame", "select sum(x) over (partition by k order by t) as running from t;")]
    [InlineData("window-frame", "select count(*) over (order by t range between unbounded preceding and current row) from t;")]
    [InlineData("window-frame", "select first_value(x) over (partition by k order by t) from t;")]
    [InlineData("text-type", "select cast(x as text) as y from t;")]
    [InlineData("text-type", "select x::text as y from t;")]
    [InlineData("array", "select array_agg(x order by t) as xs from t group by k;")]
    [InlineData("array", "select ARRAY[1, 2] as xs from t;")]
    [InlineData("array", "select x::varchar(10)[] as xs from t;")]
    [InlineData("serial", "select 1 as x from t; create table u (id bigserial);")]
    [InlineData("identity", "select 1 as x from t; create table u (id bigint generated always as identity);")]
    [InlineData("json", "select payload::jsonb ->> 'page' as page from t;")]
    [InlineData("uuid", "select gen_random_uuid() as id from t;")]
    [InlineData("generate-series", "select d from generate_series(1, 10) as d;")]
    [InlineData("is-distinct-from", "select 1 as x from t where a is distinct from b;")]
    [InlineData("is-distinct-from", "select 1 as x from t where a IS NOT DISTINCT FROM b;")]
    [InlineData("filter-where", "select count(*) filter (where ok) as n from t;")]
    [InlineData("distinct-on", "select distinct on (k) k, x from t order by k, t;")]
    [InlineData("on-conflict", "select 1 as x from t; insert into u values (1) on conflict do nothing;")]
    [InlineData("lateral", "select 1 as x from t cross join lateral (select 1) as l;")]
    [InlineData("median", "select median(x) as m from t;")]
    [InlineData("now", "select now() as at from t;")]
    [InlineData("now", "select current_timestamp as at from t;")]
    [InlineData("lag-default", "select lag(x, 1, 0) over (partition by k order by t) as previous from t;")]
    [InlineData("lag-default", "select lead(coalesce(x, 0), 1, '(none)') over (order by t) as next from t;")]
    public void Lint_WhenARuleIsViolated_NamesFileLineAndRule(string ruleId, string line3)
    {
        Script("V0001__planted.sql", Header + line3 + "\n");

        var report = PortabilityLint.LintDirectory(_folder);

        var violation = Assert.Single(report.Violations);
        Assert.Equal(("V0001__planted.sql", 3, ruleId), (violation.FileName, violation.Line, violation.RuleId));
    }

    [Fact]
    public void Lint_TextColumnInCreateTable_IsReportedOnItsLine()
    {
        Script("V0001__tables.sql", "create table t (\n    id bigint not null,\n    path text not null,\n    name varchar(20)\n);\n");

        var violation = Assert.Single(PortabilityLint.LintDirectory(_folder).Violations);

        Assert.Equal(("V0001__tables.sql", 3, "text-type"), (violation.FileName, violation.Line, violation.RuleId));
    }

    [Fact]
    public void Lint_ThePortableForms_PassEveryRule()
    {
        Script("R__portable.sql", """
            -- TEXT, array_agg(), now(), lateral, [] and median( in a comment are only words
            /* so are generate_series(1, 3) and x::jsonb in a block comment */
            create view portable as
            select
                'is distinct from [1] now() text' as literal,
                "text" as quoted_identifier_named_like_a_type,
                sum(x) over (
                    partition by k
                    order by t
                    rows between unbounded preceding and current row
                ) as running,
                count(*) over (partition by k) as per_key,
                row_number() over (partition by k order by t) as n,
                lag(x) over (partition by k order by t) as previous,
                lead(x, 2) over (partition by k order by t) as after_next,
                coalesce(lag(x) over (order by t), 0) as previous_or_zero,
                percentile_cont(0.5) within group (order by x) over (partition by k) as median_x,
                cast(x as varchar(20)) as x_text,
                min(t) as first_at,
                ${now} as built_at
            from t
            group by k, t, x;
            comment on view portable is 'Uses TEXT and array_agg only in this string.';
            """);

        var report = PortabilityLint.LintDirectory(_folder);

        Assert.Empty(report.Violations);
        Assert.Equal(["R__portable.sql"], report.CheckedFiles);
    }

    [Fact]
    public void Lint_IgnoreComment_SilencesOnlyTheNamedRuleOnItsLine()
    {
        Script("V0001__hatch.sql",
            "select array_agg(x) as xs from t; -- portable: ignore array\n" +
            "select array_agg(x) as xs, now() as at from t; -- portable: ignore now\n");

        var violation = Assert.Single(PortabilityLint.LintDirectory(_folder).Violations);

        Assert.Equal((2, "array"), (violation.Line, violation.RuleId));
    }

    [Fact]
    public void Lint_PlainScriptWithRedshiftVariant_IsSkippedAndTheVariantIsChecked()
    {
        Script("R__lists.sql", "create view lists as select k, array_agg(x order by t) as xs from t group by k;\n");
        Script("R__lists.redshift.sql",
            "create view lists as\nselect k, listagg(x, ',') within group (order by t) as xs, median(x) as m from t group by k;\n");
        Script("V0001__only_here.postgres.sql", "create table u (id serial);\n");

        var report = PortabilityLint.LintDirectory(_folder);

        Assert.Empty(report.Violations); // median is fine where only Redshift runs the file
        Assert.Equal(["R__lists.redshift.sql"], report.CheckedFiles);
        Assert.Equal(["R__lists.sql", "V0001__only_here.postgres.sql"], report.SkippedFiles.Select(s => s.FileName));
    }

    [Fact]
    public void Lint_RedshiftVariant_IsStillCheckedForWhatRedshiftLacks()
    {
        Script("R__lists.redshift.sql", "create view lists as\nselect k, x::text as y from t;\n");

        var violation = Assert.Single(PortabilityLint.LintDirectory(_folder).Violations);

        Assert.Equal(("R__lists.redshift.sql", 2, "text-type"), (violation.FileName, violation.Line, violation.RuleId));
    }

    [Fact]
    public void Lint_EveryRule_CitesItsSource()
    {
        Assert.All(PortabilityLint.Rules, rule => Assert.Contains("https://", rule.Reference));
        Assert.Equal(PortabilityLint.Rules.Count, PortabilityLint.Rules.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void Lint_ProjectMigrations_HaveNoViolations()
    {
        var report = PortabilityLint.LintDirectory(TestDatabase.MigrationsDirectory);

        Assert.True(report.Violations.Count == 0, string.Join("\n", report.Violations));
    }
}
