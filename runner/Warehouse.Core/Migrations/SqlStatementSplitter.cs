using DbUp.Postgresql;

namespace Warehouse.Core.Migrations;

/// <summary>One statement of a script and the 1-based line its text starts on.</summary>
public sealed record SqlStatement(string Sql, int StartLine);

/// <summary>
/// Splits a PostgreSQL script into statements with DbUp's own parser (the one its PostgreSQL executor runs: it knows
/// '...' and E'...' strings, "identifiers", $tag$ bodies and nested comments) and adds what DbUp drops: the line each
/// statement starts on, so an error names file and line. Chunks that are only comments are left out.
/// </summary>
public static class SqlStatementSplitter
{
    private static readonly PostgresqlConnectionManager Parser = new("Host=unused");

    public static IReadOnlyList<SqlStatement> Split(string script)
    {
        var statements = new List<SqlStatement>();
        var searchFrom = 0;
        foreach (var sql in Parser.SplitScriptIntoCommands(script))
        {
            // DbUp trims each statement but keeps its text whole, so it is found in order in the script.
            var at = script.IndexOf(sql, searchFrom, StringComparison.Ordinal);
            searchFrom = at + sql.Length;
            if (MaskCommentsAndLiterals(sql).Trim().Length > 0)
            {
                statements.Add(new SqlStatement(sql, script.AsSpan(0, at).Count('\n') + 1));
            }
        }
        return statements;
    }

    /// <summary>
    /// The script with the text of comments, string literals, quoted identifiers and dollar-quoted bodies replaced by
    /// spaces (quotes kept, line breaks kept), so a pattern search over it sees only SQL and every offset and line
    /// number still matches the original. The portability lint reads scripts through this. With commentsOnly, literals
    /// stay and a dollar-quoted body (a DO block, a function) is searched too, its own comments masked: what a script
    /// may execute, as the privilege check reads it.
    /// </summary>
    public static string MaskCommentsAndLiterals(string script, bool commentsOnly = false)
    {
        var masked = script.ToCharArray();
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            var start = i;
            if (c == '-' && Next(script, i) == '-')
            {
                i = SkipUntil(script, i + 2, "\n", consumeTerminator: false);
                Blank(masked, start, i);
            }
            else if (c == '/' && Next(script, i) == '*')
            {
                i = SkipBlockComment(script, i);
                Blank(masked, start, i);
            }
            else if (c == '\'' || c == '"')
            {
                var backslashEscapes = c == '\'' && i > 0 && (script[i - 1] == 'E' || script[i - 1] == 'e') && (i < 2 || !IsIdentifierChar(script[i - 2]));
                i = SkipQuoted(script, i, c, backslashEscapes);
                if (!commentsOnly)
                {
                    Blank(masked, start + 1, script[i - 1] == c && i - 1 > start ? i - 1 : i);
                }
            }
            else if (c == '$' && DollarTag(script, i) is { } tag)
            {
                i = SkipUntil(script, i + tag.Length, tag, consumeTerminator: true);
                Blank(masked, start, i);
                if (commentsOnly && i - tag.Length > start + tag.Length)
                {
                    MaskCommentsAndLiterals(script[(start + tag.Length)..(i - tag.Length)], commentsOnly).CopyTo(0, masked, start + tag.Length, i - start - 2 * tag.Length);
                }
            }
            else
            {
                i++;
            }
        }
        return new string(masked);
    }

    private static void Blank(char[] text, int from, int to)
    {
        for (var k = from; k < to && k < text.Length; k++)
        {
            if (text[k] != '\n')
            {
                text[k] = ' ';
            }
        }
    }

    private static char Next(string s, int i) => i + 1 < s.Length ? s[i + 1] : '\0';

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$';

    /// <summary>Returns "$tag$" when a dollar quote opens at i (and is not a positional parameter like $1).</summary>
    private static string? DollarTag(string s, int i)
    {
        if (i > 0 && IsIdentifierChar(s[i - 1]))
        {
            return null; // part of an identifier such as a$b
        }
        var j = i + 1;
        while (j < s.Length && (char.IsLetter(s[j]) || s[j] == '_' || (j > i + 1 && char.IsDigit(s[j]))))
        {
            j++;
        }
        return j < s.Length && s[j] == '$' ? s[i..(j + 1)] : null;
    }

    private static int SkipQuoted(string s, int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < s.Length)
        {
            var c = s[i];
            if (backslashEscapes && c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == quote)
            {
                if (Next(s, i) == quote)
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    private static int SkipBlockComment(string s, int i)
    {
        var depth = 0;
        while (i < s.Length)
        {
            if (s[i] == '/' && Next(s, i) == '*')
            {
                depth++;
                i += 2;
            }
            else if (s[i] == '*' && Next(s, i) == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }
        return i;
    }

    private static int SkipUntil(string s, int i, string terminator, bool consumeTerminator)
    {
        var end = s.IndexOf(terminator, i, StringComparison.Ordinal);
        return end < 0 ? s.Length : consumeTerminator ? end + terminator.Length : end;
    }
}
