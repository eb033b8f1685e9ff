namespace Warehouse.Core.Migrations;

/// <summary>One statement of a script and the 1-based line its text starts on.</summary>
public sealed record SqlStatement(string Sql, int StartLine);

/// <summary>
/// Splits a PostgreSQL script at top-level semicolons. It understands what can hide a semicolon: '...' strings (with ''
/// escapes and E'..\'..' backslash escapes), "quoted identifiers", $tag$ dollar quoting (function bodies), -- line
/// comments and nested /* */ block comments.
/// </summary>
public static class SqlStatementSplitter
{
    public static IReadOnlyList<SqlStatement> Split(string script)
    {
        var statements = new List<SqlStatement>();
        var start = 0;
        var startLine = 1;
        var line = 1;
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (c == '-' && Next(script, i) == '-')
            {
                i = SkipUntil(script, i + 2, "\n", ref line, consumeTerminator: false);
            }
            else if (c == '/' && Next(script, i) == '*')
            {
                i = SkipBlockComment(script, i, ref line);
            }
            else if (c == '\'')
            {
                var backslashEscapes = i > 0 && (script[i - 1] == 'E' || script[i - 1] == 'e') && (i < 2 || !IsIdentifierChar(script[i - 2]));
                i = SkipQuoted(script, i, '\'', backslashEscapes, ref line);
            }
            else if (c == '"')
            {
                i = SkipQuoted(script, i, '"', backslashEscapes: false, ref line);
            }
            else if (c == '$' && DollarTag(script, i) is { } tag)
            {
                i = SkipUntil(script, i + tag.Length, tag, ref line, consumeTerminator: true);
            }
            else if (c == ';')
            {
                Add(statements, script[start..i], startLine);
                i++;
                start = i;
                startLine = line;
            }
            else
            {
                i++;
            }
        }
        Add(statements, script[start..], startLine);
        return statements;
    }

    /// <summary>
    /// The script with the text of comments, string literals, quoted identifiers and dollar-quoted bodies replaced by
    /// spaces (quotes kept, line breaks kept), so a pattern search over it sees only SQL and every offset and line
    /// number still matches the original. The portability lint reads scripts through this.
    /// </summary>
    public static string MaskCommentsAndLiterals(string script)
    {
        var masked = script.ToCharArray();
        var line = 1;
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            var start = i;
            if (c == '-' && Next(script, i) == '-')
            {
                i = SkipUntil(script, i + 2, "\n", ref line, consumeTerminator: false);
                Blank(masked, start, i);
            }
            else if (c == '/' && Next(script, i) == '*')
            {
                i = SkipBlockComment(script, i, ref line);
                Blank(masked, start, i);
            }
            else if (c == '\'' || c == '"')
            {
                var backslashEscapes = c == '\'' && i > 0 && (script[i - 1] == 'E' || script[i - 1] == 'e') && (i < 2 || !IsIdentifierChar(script[i - 2]));
                i = SkipQuoted(script, i, c, backslashEscapes, ref line);
                Blank(masked, start + 1, script[i - 1] == c && i - 1 > start ? i - 1 : i);
            }
            else if (c == '$' && DollarTag(script, i) is { } tag)
            {
                i = SkipUntil(script, i + tag.Length, tag, ref line, consumeTerminator: true);
                Blank(masked, start, i);
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

    private static void Add(List<SqlStatement> statements, string chunk, int chunkLine)
    {
        if (IsOnlyCommentsAndSpace(chunk))
        {
            return;
        }
        // Report the line of the first character that is not white space, so errors point at the statement.
        var leading = chunk.Length - chunk.TrimStart().Length;
        var line = chunkLine + chunk.AsSpan(0, leading).Count('\n');
        statements.Add(new SqlStatement(chunk.Trim(), line));
    }

    private static bool IsOnlyCommentsAndSpace(string chunk)
    {
        var line = 0;
        var i = 0;
        while (i < chunk.Length)
        {
            if (char.IsWhiteSpace(chunk[i]))
            {
                i++;
            }
            else if (chunk[i] == '-' && Next(chunk, i) == '-')
            {
                i = SkipUntil(chunk, i + 2, "\n", ref line, consumeTerminator: false);
            }
            else if (chunk[i] == '/' && Next(chunk, i) == '*')
            {
                i = SkipBlockComment(chunk, i, ref line);
            }
            else
            {
                return false;
            }
        }
        return true;
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

    private static int SkipQuoted(string s, int i, char quote, bool backslashEscapes, ref int line)
    {
        i++;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\n')
            {
                line++;
            }
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

    private static int SkipBlockComment(string s, int i, ref int line)
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
                if (s[i] == '\n')
                {
                    line++;
                }
                i++;
            }
        }
        return i;
    }

    private static int SkipUntil(string s, int i, string terminator, ref int line, bool consumeTerminator)
    {
        var end = s.IndexOf(terminator, i, StringComparison.Ordinal);
        var stop = end < 0 ? s.Length : end;
        line += s.AsSpan(i, stop - i).Count('\n');
        if (end < 0)
        {
            return s.Length;
        }
        if (consumeTerminator)
        {
            line += terminator.AsSpan().Count('\n');
            return end + terminator.Length;
        }
        return end;
    }
}
