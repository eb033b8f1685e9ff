namespace Warehouse.Core.Checks;

/// <summary>What a data test asserts of a relation's rows (the generic tests of dbt, plus dbt_utils' expression_is_true).</summary>
public enum DataTestKind
{
    /// <summary>No two rows share the columns' values (nulls compare equal, as GROUP BY groups them).</summary>
    Unique,
    /// <summary>None of the columns is null.</summary>
    NotNull,
    /// <summary>The column's value is one of a list; a null is left to not_null.</summary>
    AcceptedValues,
    /// <summary>Every row whose columns are all set finds a row of the parent with the same values.</summary>
    Relationships,
    /// <summary>A SQL condition holds on every row (a row where it is null passes, as in a WHERE clause).</summary>
    Expression,
}

/// <summary>
/// One declared test of a relation, as written on one line of a migration's <c>-- tests:</c> block
/// (<see cref="DataTestDeclarations"/>), with the file and line it came from so a failure points at its declaration.
/// </summary>
public sealed record DataTest(
    string Relation,
    DataTestKind Kind,
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> Values,
    string? Parent,
    IReadOnlyList<string> ParentColumns,
    string? Condition,
    string Declaration,
    string FileName,
    int Line)
{
    /// <summary>The column that carries the number of offending rows beside each sampled row.</summary>
    public const string CountColumn = "failing_rows";

    /// <summary>How many offending rows a check shows.</summary>
    public const int SampleSize = 5;

    /// <summary>Where the test is declared, as <c>FILE:LINE</c>.</summary>
    public string Location => $"{FileName}:{Line}";

    /// <summary>
    /// The query of the offending rows alone. Portable SQL only (it runs on Redshift too): GROUP BY ... HAVING for
    /// uniqueness, NOT IN for accepted values, LEFT JOIN ... IS NULL for relationships (an anti-join the planner hashes).
    /// </summary>
    public string FailuresSql => Kind switch
    {
        DataTestKind.Unique =>
            $"select {List(Columns)}, count(*) as occurrences from {Relation} group by {List(Columns)} having count(*) > 1",
        DataTestKind.NotNull =>
            $"select * from {Relation} where {string.Join(" or ", Columns.Select(c => c + " is null"))}",
        DataTestKind.AcceptedValues =>
            $"select * from {Relation} where {Columns[0]} not in ({string.Join(", ", Values.Select(Literal))})",
        DataTestKind.Relationships =>
            $"select child.* from {Relation} as child left join {Parent} as parent on " +
            string.Join(" and ", Columns.Zip(ParentColumns, (c, p) => $"child.{c} = parent.{p}")) +
            $" where parent.{ParentColumns[0]} is null and " + string.Join(" and ", Columns.Select(c => $"child.{c} is not null")),
        DataTestKind.Expression => $"select * from {Relation} where not ({Condition})",
        _ => throw new InvalidOperationException($"unknown test kind {Kind}"),
    };

    /// <summary>
    /// The one query a check runs: up to <see cref="SampleSize"/> offending rows, each with the total number of them
    /// in <see cref="CountColumn"/> (a window count, so one scan gives both); no rows when the test passes.
    /// </summary>
    public string Sql =>
        $"with failures as ({FailuresSql}) " +
        $"select failures.*, count(*) over () as {CountColumn} from failures" +
        (Columns.Count > 0 ? $" order by {List(Columns)}" : "") +
        $" limit {SampleSize}";

    private static string List(IEnumerable<string> columns) => string.Join(", ", columns);

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
