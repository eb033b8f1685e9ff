using Warehouse.Core;
using Warehouse.Core.Checks;
using Warehouse.Core.Marts;
using Warehouse.Core.Portability;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Checks;

/// <summary>The <c>-- tests:</c> blocks at the end of the mart migrations: what they declare, the SQL they become, and bad ones.</summary>
public sealed class DataTestDeclarationsTests
{
    private static IReadOnlyList<DataTest> Declared => DataTestDeclarations.Load(TestDatabase.MigrationsDirectory);

    [Fact]
    public void Migrations_DeclareTestsForEveryMart_AndAGrainKeyForEachMartOfManyRows()
    {
        foreach (var mart in MartCatalog.Names)
        {
            var tests = Declared.Where(t => t.Relation == "marts." + mart).ToList();
            Assert.True(tests.Count > 0, $"marts.{mart} declares no tests");
            // order_metrics is one row of medians: it has no grain to be unique on
            if (mart != "order_metrics")
            {
                Assert.Contains(tests, t => t.Kind == DataTestKind.Unique);
                Assert.Contains(tests, t => t.Kind == DataTestKind.NotNull);
            }
        }
    }

    [Fact]
    public void EveryDeclaredTest_CompilesToSqlThatPassesThePortabilityLint()
    {
        Assert.NotEmpty(Declared);
        foreach (var test in Declared)
        {
            Assert.Empty(PortabilityLint.Lint(test.Sql, test.Location));
        }
    }

    [Fact]
    public void Parse_OfEachKind_GivesOneQueryOfTheOffendingRows()
    {
        var tests = DataTestDeclarations.Parse("""
            create view marts.things as select 1 as id;

            -- tests:
            --   unique: source, thing_date
            --   not_null: source, things
            --   accepted_values: source in (http_log, 'it''s')
            --   relationships: session_id, user_id -> core.sessions(session_id, user_id)
            --   expression: things >= 0
            """, "R__49_marts_things.sql");

        Assert.Equal(
        [
            "with failures as (select source, thing_date, count(*) as occurrences from marts.things group by source, thing_date having count(*) > 1) " +
                "select failures.*, count(*) over () as failing_rows from failures order by source, thing_date limit 5",
            "with failures as (select * from marts.things where source is null or things is null) " +
                "select failures.*, count(*) over () as failing_rows from failures order by source, things limit 5",
            "with failures as (select * from marts.things where source not in ('http_log', 'it''s')) " +
                "select failures.*, count(*) over () as failing_rows from failures order by source limit 5",
            "with failures as (select child.* from marts.things as child left join core.sessions as parent " +
                "on child.session_id = parent.session_id and child.user_id = parent.user_id " +
                "where parent.session_id is null and child.session_id is not null and child.user_id is not null) " +
                "select failures.*, count(*) over () as failing_rows from failures order by session_id, user_id limit 5",
            "with failures as (select * from marts.things where not (things >= 0)) " +
                "select failures.*, count(*) over () as failing_rows from failures limit 5",
        ], tests.Select(t => t.Sql));
        Assert.Equal([4, 5, 6, 7, 8], tests.Select(t => t.Line));
        Assert.All(tests, t => Assert.Equal("marts.things", t.Relation));
    }

    [Theory]
    [InlineData("--   uniqe: source", 4, "unknown test 'uniqe'")]
    [InlineData("--   unique source", 4, "'unique source' is not a test")]
    [InlineData("--   not_null: source, Things", 4, "'Things' is not a column name")]
    [InlineData("--   accepted_values: source (a, b)", 4, "expected accepted_values: COLUMN in (VALUE, ...)")]
    [InlineData("--   relationships: a, b -> core.sessions(a)", 4, "2 column(s) on the left, 1 in the parent")]
    [InlineData("--   relationships: a -> sessions(a)", 4, "expected relationships: COLUMN, ... -> SCHEMA.TABLE(COLUMN, ...)")]
    [InlineData("--   expression: a is distinct from b", 4, "is not portable: is-distinct-from")]
    [InlineData("--   expression: a > 0; drop table x", 4, "without ';'")]
    [InlineData("--\n-- tests:\n--   unique: id", 5, "a second '-- tests:' block")]
    [InlineData("", 3, "a '-- tests:' block without tests")]
    public void Parse_OfAMalformedDeclaration_FailsNamingFileAndLine(string line, int expectedLine, string expected)
    {
        var script = $"create view marts.things as select 1 as id;\n\n-- tests:\n{line}\n";

        var error = Assert.Throws<WarehouseException>(() => DataTestDeclarations.Parse(script, "R__49_marts_things.sql"));

        Assert.StartsWith($"R__49_marts_things.sql:{expectedLine}: malformed test declaration: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Parse_InAFileNotNamedAfterARelation_FailsNamingFileAndLine()
    {
        var error = Assert.Throws<WarehouseException>(() => DataTestDeclarations.Parse("select 1;\n-- tests:\n--   unique: id\n", "R__things.sql"));

        Assert.StartsWith("R__things.sql:2: malformed test declaration: tests are declared in a repeatable named R__NN_<schema>_<name>.sql", error.Message);
    }
}
