using System.Text.RegularExpressions;
using Warehouse.Core.Migrations;

namespace Warehouse.Core.Portability;

/// <summary>Which engine lacks a construct: it decides whether a rule applies to a Redshift-only variant file.</summary>
public enum MissingIn { Redshift, Postgres }

/// <summary>One portability rule: a stable id (used in output and in ignore comments), why, and where that is documented.</summary>
public sealed record PortabilityRule(string Id, string Message, MissingIn MissingIn, string Reference);

/// <summary>One place where a script uses SQL that does not run the same on PostgreSQL 15 and Amazon Redshift.</summary>
public sealed record PortabilityViolation(string FileName, int Line, string RuleId, string Message)
{
    public override string ToString() => $"{FileName}:{Line}: {RuleId}: {Message}";
}

/// <summary>The lint of a migrations folder: what was checked, what was left out and why, and what was found.</summary>
public sealed record PortabilityReport(
    IReadOnlyList<string> CheckedFiles, IReadOnlyList<(string FileName, string Reason)> SkippedFiles, IReadOnlyList<PortabilityViolation> Violations);

/// <summary>
/// Checks that migrations use only SQL that PostgreSQL 15 and Amazon Redshift both run, with the same meaning.
/// The rules come from the Redshift developer guide (each rule cites its page) and from what PostgreSQL lacks.
///
/// How a script is read: split into statements with <see cref="SqlStatementSplitter"/>, then comments, string
/// literals, quoted identifiers and dollar-quoted bodies are blanked out (<see cref="SqlStatementSplitter.MaskCommentsAndLiterals"/>),
/// so a comment that mentions TEXT or a string '[x]' never trips a rule, and line numbers stay those of the file.
///
/// Which files: exactly the scripts Redshift would run (<see cref="MigrationSource.Load"/> with target redshift). A plain
/// script replaced by its <c>.redshift.sql</c> variant is PostgreSQL-only and is skipped, as are <c>.postgres.sql</c>
/// variants; that is how a dialect difference lives in one place. A <c>.redshift.sql</c> variant is checked too, except
/// against rules for what only PostgreSQL lacks (MEDIAN is fine in a file only Redshift runs).
///
/// Escape hatch: a comment <c>-- portable: ignore &lt;rule-id&gt;[, &lt;rule-id&gt;...]</c> on the line of a violation
/// silences that rule on that line. Prefer a <c>${variable}</c> (see <see cref="Dialect"/>) or a variant file; the
/// comment is for the rare line where the difference is already handled elsewhere and the reader should be told so.
/// </summary>
public static partial class PortabilityLint
{
    private const string UnsupportedFunctions = "https://docs.aws.amazon.com/redshift/latest/dg/c_unsupported-postgresql-functions.html";
    private const string UnsupportedTypes = "https://docs.aws.amazon.com/redshift/latest/dg/c_unsupported-postgresql-datatypes.html";
    private const string UnsupportedFeatures = "https://docs.aws.amazon.com/redshift/latest/dg/c_unsupported-postgresql-features.html";

    public static readonly PortabilityRule WindowFrame = new("window-frame",
        "a window aggregate with ORDER BY must state a ROWS frame, e.g. ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW " +
        "(Redshift requires it; PostgreSQL's default RANGE frame would count ties differently)",
        MissingIn.Redshift,
        // "If an ORDER BY clause is used for an aggregate function, an explicit frame clause is required"; only ROWS frames exist.
        "https://docs.aws.amazon.com/redshift/latest/dg/r_Window_function_synopsis.html");

    public static readonly PortabilityRule TextType = new("text-type",
        "TEXT becomes VARCHAR(256) on Redshift and truncates; use VARCHAR(n)", MissingIn.Redshift,
        // Character types table: "TEXT  Converted to VARCHAR(256)."
        "https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html");

    public static readonly PortabilityRule Arrays = new("array",
        "arrays ([], ARRAY[...], array_agg, unnest) do not exist on Redshift; use a variant file with LISTAGG",
        MissingIn.Redshift, UnsupportedFunctions + " (ARRAY_AGG, array functions and operators); " + UnsupportedTypes + " (arrays)");

    public static readonly PortabilityRule Serial = new("serial",
        "SERIAL/BIGSERIAL do not exist on Redshift; use a natural key", MissingIn.Redshift,
        UnsupportedTypes + " (SERIAL, BIGSERIAL, SMALLSERIAL)");

    public static readonly PortabilityRule Identity = new("identity",
        "GENERATED ... AS IDENTITY is PostgreSQL syntax (Redshift spells it IDENTITY(seed, step)); use a natural key",
        MissingIn.Redshift, "https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html");

    public static readonly PortabilityRule Json = new("json",
        "json/jsonb types and the -> ->> #> operators do not exist on Redshift; keep JSON in VARCHAR and use json_extract_path_text",
        MissingIn.Redshift, UnsupportedTypes + " (JSON); https://docs.aws.amazon.com/redshift/latest/dg/json-functions.html");

    public static readonly PortabilityRule Uuid = new("uuid",
        "the uuid type and its functions do not exist on Redshift; use CHAR(36)", MissingIn.Redshift,
        UnsupportedTypes + " (UUID)");

    public static readonly PortabilityRule GenerateSeries = new("generate-series",
        "generate_series() runs only on the Redshift leader node, never against tables", MissingIn.Redshift,
        UnsupportedFunctions + " (set returning functions: GENERATE_SERIES)");

    public static readonly PortabilityRule IsDistinctFrom = new("is-distinct-from",
        "IS [NOT] DISTINCT FROM is not supported by Redshift; compare with coalesce or explicit null checks", MissingIn.Redshift,
        UnsupportedFunctions + " (IS DISTINCT FROM)");

    public static readonly PortabilityRule FilterWhere = new("filter-where",
        "aggregate FILTER (WHERE ...) is not supported by Redshift; use sum(case when ... then 1 else 0 end)", MissingIn.Redshift,
        "https://docs.aws.amazon.com/redshift/latest/dg/c_Aggregate_Functions.html");

    public static readonly PortabilityRule DistinctOn = new("distinct-on",
        "SELECT DISTINCT ON is not supported by Redshift; use row_number() over (...) = 1", MissingIn.Redshift,
        "https://docs.aws.amazon.com/redshift/latest/dg/r_SELECT_list.html");

    public static readonly PortabilityRule OnConflict = new("on-conflict",
        "INSERT ... ON CONFLICT is not supported by Redshift (constraints are not enforced); use MERGE or delete+insert",
        MissingIn.Redshift, "https://docs.aws.amazon.com/redshift/latest/dg/r_INSERT_30.html; " + UnsupportedFeatures);

    public static readonly PortabilityRule Lateral = new("lateral",
        "LATERAL is not supported by Redshift; join to a grouped CTE instead", MissingIn.Redshift,
        "https://docs.aws.amazon.com/redshift/latest/dg/r_FROM_clause30.html");

    public static readonly PortabilityRule Median = new("median",
        "PostgreSQL has no MEDIAN(); use PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x)", MissingIn.Postgres,
        "https://www.postgresql.org/docs/15/functions-aggregate.html (ordered-set aggregates); " +
        "https://docs.aws.amazon.com/redshift/latest/dg/r_PERCENTILE_CONT.html");

    public static readonly PortabilityRule Now = new("now",
        "NOW()/CURRENT_TIMESTAMP/CURRENT_TIME/LOCALTIME are deprecated leader-node-only functions on Redshift; use ${now}",
        MissingIn.Redshift, "https://docs.aws.amazon.com/redshift/latest/dg/c_SQL_functions_leader_node_only.html");

    public static readonly PortabilityRule LagDefault = new("lag-default",
        "LAG/LEAD take no default argument on Redshift; wrap the call in coalesce(...)", MissingIn.Redshift,
        // LAG (value_expr [, offset ]) [ IGNORE NULLS | RESPECT NULLS ] OVER (...)
        "https://docs.aws.amazon.com/redshift/latest/dg/r_WF_LAG.html");

    public static IReadOnlyList<PortabilityRule> Rules { get; } =
    [
        WindowFrame, TextType, Arrays, Serial, Identity, Json, Uuid, GenerateSeries, IsDistinctFrom, FilterWhere,
        DistinctOn, OnConflict, Lateral, Median, Now, LagDefault,
    ];

    // Rules found by a pattern over the masked statement. Types are matched in casts everywhere and as words inside
    // CREATE/ALTER TABLE (a column named like a type must be quoted there, which the mask leaves alone).
    private static readonly (PortabilityRule Rule, Regex Anywhere, Regex? InTableDdl)[] PatternRules =
    [
        (TextType, Rx(@"::\s*text\b|\bas\s+text\s*\)"), Rx(@"\btext\b")),
        (Arrays, Rx(@"\[|\barray\b|\barray_\w+\s*\(|\bunnest\s*\(|\bstring_to_array\s*\("), null),
        (Serial, Rx(@"\b(?:small|big)?serial[248]?\b"), null),
        (Identity, Rx(@"\bgenerated\s+(?:always|by\s+default)\s+as\s+identity\b"), null),
        (Json, Rx(@"\bjsonb\b|::\s*json\b|->>?|#>>?"), Rx(@"\bjson\b")),
        (Uuid, Rx(@"::\s*uuid\b|\bas\s+uuid\s*\)|\bgen_random_uuid\s*\(|\buuid_generate_\w+\s*\("), Rx(@"\buuid\b")),
        (GenerateSeries, Rx(@"\bgenerate_series\s*\("), null),
        (IsDistinctFrom, Rx(@"\bis\s+(?:not\s+)?distinct\s+from\b"), null),
        (FilterWhere, Rx(@"\bfilter\s*\(\s*where\b"), null),
        (DistinctOn, Rx(@"\bdistinct\s+on\s*\("), null),
        (OnConflict, Rx(@"\bon\s+conflict\b"), null),
        (Lateral, Rx(@"\blateral\b"), null),
        (Median, Rx(@"\bmedian\s*\("), null),
        (Now, Rx(@"\bnow\s*\(|\bcurrent_timestamp\b|\bcurrent_time\b|\blocaltime\b"), null),
    ];

    /// <summary>Aggregates that take a frame when used as window functions (ranking functions and LAG/LEAD do not).</summary>
    private static readonly Regex FramedFunction = Rx(
        @"\b(?:sum|count|avg|min|max|stddev|stddev_samp|stddev_pop|variance|var_samp|var_pop|first_value|last_value|nth_value|bool_and|bool_or)\s*\(");

    private static readonly Regex LagOrLead = Rx(@"\b(?:lag|lead)\s*\(");
    private static readonly Regex TableDdl = Rx(@"^\s*(?:create|alter)\s+(?:(?:global\s+|local\s+)?(?:temp|temporary|unlogged)\s+)?table\b");
    private static readonly Regex OrderBy = Rx(@"\border\s+by\b");
    private static readonly Regex RowsFrame = Rx(@"\brows\s+(?:between\b|unbounded\b|current\b|\d)");

    /// <summary>Lints the scripts of a migrations folder that Redshift would run.</summary>
    public static PortabilityReport LintDirectory(string directory)
    {
        var forRedshift = MigrationSource.Load(directory, "redshift");
        var chosen = forRedshift.Select(s => s.FileName).ToHashSet(StringComparer.Ordinal);
        var skipped = new List<(string, string)>();
        foreach (var file in Directory.GetFiles(directory, "*.sql", SearchOption.AllDirectories).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
        {
            if (chosen.Contains(file))
            {
                continue;
            }
            skipped.Add(MigrationScript.TargetOf(file) is { } target
                ? (file, $"runs only on {target}")
                : (file, $"replaced on Redshift by {Path.GetFileNameWithoutExtension(file)}.redshift.sql"));
        }
        var violations = forRedshift
            .SelectMany(s => Lint(s.Text, s.FileName, redshiftOnly: MigrationScript.TargetOf(s.FileName) == "redshift"))
            .ToList();
        return new PortabilityReport([.. chosen.Order(StringComparer.Ordinal)], skipped, violations);
    }

    /// <summary>Lints one script's text; <paramref name="redshiftOnly"/> drops the rules for what only PostgreSQL lacks.</summary>
    public static IReadOnlyList<PortabilityViolation> Lint(string sql, string fileName, bool redshiftOnly = false)
    {
        var text = MigrationScript.Normalise(sql);
        var ignored = IgnoredRulesByLine(text);
        var violations = new List<PortabilityViolation>();
        foreach (var statement in SqlStatementSplitter.Split(text))
        {
            var masked = SqlStatementSplitter.MaskCommentsAndLiterals(statement.Sql);
            var found = new List<(PortabilityRule Rule, int Offset)>();
            var isTableDdl = TableDdl.IsMatch(masked);
            foreach (var (rule, anywhere, inTableDdl) in PatternRules)
            {
                found.AddRange(anywhere.Matches(masked).Select(m => (rule, m.Index)));
                if (isTableDdl && inTableDdl is not null)
                {
                    found.AddRange(inTableDdl.Matches(masked).Select(m => (rule, m.Index)));
                }
            }
            found.AddRange(UnframedWindowAggregates(masked).Select(offset => (WindowFrame, offset)));
            found.AddRange(LagLeadWithDefault(masked).Select(offset => (LagDefault, offset)));

            foreach (var (rule, offset) in found.OrderBy(f => f.Offset))
            {
                var line = statement.StartLine + masked.AsSpan(0, offset).Count('\n');
                if (redshiftOnly && rule.MissingIn == MissingIn.Postgres)
                {
                    continue;
                }
                if (ignored.TryGetValue(line, out var ids) && ids.Contains(rule.Id))
                {
                    continue;
                }
                // One report per rule and line: "text" twice on one line is one thing to fix.
                if (!violations.Any(v => v.Line == line && v.RuleId == rule.Id))
                {
                    violations.Add(new PortabilityViolation(fileName, line, rule.Id, rule.Message));
                }
            }
        }
        return [.. violations.OrderBy(v => v.Line).ThenBy(v => v.RuleId, StringComparer.Ordinal)];
    }

    /// <summary>Offsets of framed aggregates whose OVER (...) orders rows but states no ROWS frame (or uses a named window).</summary>
    private static IEnumerable<int> UnframedWindowAggregates(string masked)
    {
        foreach (Match call in FramedFunction.Matches(masked))
        {
            var close = MatchingParen(masked, call.Index + call.Length - 1);
            if (close < 0)
            {
                continue;
            }
            var rest = masked.AsSpan(close + 1);
            var after = close + 1 + (rest.Length - rest.TrimStart().Length);
            var over = OverClause().Match(masked, after);
            if (!over.Success || over.Index != after)
            {
                continue; // a plain aggregate
            }
            if (over.Groups["named"].Success)
            {
                yield return call.Index; // OVER w: Redshift has no WINDOW clause, and the frame is out of sight here
                continue;
            }
            var open = over.Index + over.Length - 1;
            var end = MatchingParen(masked, open);
            var spec = end < 0 ? masked[open..] : masked[open..end];
            if (OrderBy.IsMatch(spec) && !RowsFrame.IsMatch(spec))
            {
                yield return call.Index;
            }
        }
    }

    /// <summary>Offsets of LAG/LEAD calls with a third (default) argument.</summary>
    private static IEnumerable<int> LagLeadWithDefault(string masked)
    {
        foreach (Match call in LagOrLead.Matches(masked))
        {
            var open = call.Index + call.Length - 1;
            var close = MatchingParen(masked, open);
            if (close > 0 && TopLevelCommas(masked, open + 1, close) >= 2)
            {
                yield return call.Index;
            }
        }
    }

    private static int MatchingParen(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')' && --depth == 0)
            {
                return i;
            }
        }
        return -1;
    }

    private static int TopLevelCommas(string text, int from, int to)
    {
        var depth = 0;
        var commas = 0;
        for (var i = from; i < to; i++)
        {
            switch (text[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0: commas++; break;
            }
        }
        return commas;
    }

    /// <summary>Line number to the rule ids its <c>-- portable: ignore a, b</c> comment names.</summary>
    private static Dictionary<int, HashSet<string>> IgnoredRulesByLine(string text)
    {
        var masked = SqlStatementSplitter.MaskCommentsAndLiterals(text);
        var result = new Dictionary<int, HashSet<string>>();
        foreach (Match m in IgnoreComment().Matches(text))
        {
            // The mask blanks comments; "--" still visible there would be SQL, not a comment.
            if (masked[m.Index] != ' ')
            {
                continue;
            }
            var line = text.AsSpan(0, m.Index).Count('\n') + 1;
            var ids = result.TryGetValue(line, out var existing) ? existing : result[line] = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var id in m.Groups["ids"].Value.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                ids.Add(id);
            }
        }
        return result;
    }

    private static Regex Rx(string pattern) => new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    [GeneratedRegex(@"\bover\s*(?:\(|(?<named>[a-z_][a-z0-9_]*))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OverClause();

    [GeneratedRegex(@"--\s*portable:\s*ignore\s+(?<ids>[a-z0-9-]+(?:[ \t]*,?[ \t]*[a-z0-9-]+)*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IgnoreComment();
}
