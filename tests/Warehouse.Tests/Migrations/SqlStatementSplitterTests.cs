using Warehouse.Core.Migrations;

namespace Warehouse.Tests.Migrations;

public sealed class SqlStatementSplitterTests
{
    [Fact]
    public void Split_PlainStatements_SplitsAtSemicolonsWithStartLines()
    {
        var statements = SqlStatementSplitter.Split("create table a (x int);\n\ninsert into a values (1);\n");
        Assert.Equal(["create table a (x int)", "insert into a values (1)"], statements.Select(s => s.Sql));
        Assert.Equal([1, 3], statements.Select(s => s.StartLine));
    }

    [Fact]
    public void Split_SemicolonsInsideQuotesAndComments_AreNotBoundaries()
    {
        const string script = """
            select 'a;b', 'it''s;', E'back\';slash', "odd;name" from t; -- trailing; comment
            /* block; /* nested; */ still; */ select 2;
            """;
        var statements = SqlStatementSplitter.Split(script);
        Assert.Equal(2, statements.Count);
        Assert.StartsWith("select 'a;b'", statements[0].Sql);
        Assert.EndsWith("select 2", statements[1].Sql);
    }

    [Fact]
    public void Split_DollarQuotedFunctionBody_IsOneStatement()
    {
        const string script = """
            create function f() returns int language plpgsql as $body$
            begin
                perform 1; return $$x;y$$::text::int;
            end;
            $body$;
            select $1;
            """;
        var statements = SqlStatementSplitter.Split(script);
        Assert.Equal(2, statements.Count);
        Assert.Contains("end;", statements[0].Sql);
        Assert.Equal(6, statements[1].StartLine);
    }

    [Fact]
    public void Split_OnlyComments_GivesNoStatements()
    {
        Assert.Empty(SqlStatementSplitter.Split("-- nothing here\n/* nor; here */\n ; ;"));
    }

    [Fact]
    public void ResolveVariables_WhenUndefined_FailsNamingFileAndLine()
    {
        var error = Assert.Throws<Warehouse.Core.WarehouseException>(() =>
            MigrationSource.ResolveVariables("select 1;\nselect ${missing};", "V0001__x.sql", new Dictionary<string, string>()));
        Assert.Equal("V0001__x.sql:2: undefined variable ${missing}", error.Message);
    }

    [Fact]
    public void ResolveVariables_LeavesDollarQuotesAndParametersAlone()
    {
        var text = MigrationSource.ResolveVariables("select $1, $$a$$, ${agg}(x)", "R__x.sql", new Dictionary<string, string> { ["agg"] = "array_agg" });
        Assert.Equal("select $1, $$a$$, array_agg(x)", text);
    }

    [Fact]
    public void ResolveVariables_WithArguments_FillsTheTemplate()
    {
        var variables = new Dictionary<string, string> { ["ordered_list"] = "array_agg({0} order by {1})" };

        var text = MigrationSource.ResolveVariables("select ${ordered_list(campaign_id, first_view_number)} from t", "R__x.sql", variables);

        Assert.Equal("select array_agg(campaign_id order by first_view_number) from t", text);
    }

    [Fact]
    public void ResolveVariables_WithTheWrongNumberOfArguments_FailsNamingFileAndLine()
    {
        var variables = new Dictionary<string, string> { ["ordered_list"] = "array_agg({0} order by {1})" };

        var error = Assert.Throws<Warehouse.Core.WarehouseException>(() =>
            MigrationSource.ResolveVariables("\nselect ${ordered_list(campaign_id)}", "R__x.sql", variables));

        Assert.Equal("R__x.sql:2: ${ordered_list(...)} takes 2 argument(s), got 'campaign_id'", error.Message);
    }

    [Fact]
    public void Checksum_IgnoresBomAndLineEndings()
    {
        var unix = MigrationScript.FromFile("V1__a.sql", "select 1;\nselect 2;\n");
        var windows = MigrationScript.FromFile("V1__a.sql", "\uFEFFselect 1;\r\nselect 2;\r\n");
        Assert.Equal(unix.Checksum, windows.Checksum);
        Assert.NotEqual(unix.Checksum, MigrationScript.FromFile("V1__a.sql", "select 1;\nselect 3;\n").Checksum);
    }
}
