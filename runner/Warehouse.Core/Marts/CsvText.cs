using System.Text;

namespace Warehouse.Core.Marts;

/// <summary>Minimal RFC 4180 CSV: fields quoted when they hold a comma, quote or line break; "" escapes a quote.</summary>
public static class CsvText
{
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    public static string Line(IEnumerable<string> values) => string.Join(',', values.Select(Field));

    /// <summary>Reads all records of a CSV text (quoted fields may span lines). Blank lines are skipped.</summary>
    public static List<string[]> Parse(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var fieldStarted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    inQuotes = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }
        if (inQuotes)
        {
            throw new WarehouseException("unterminated quoted field at end of CSV");
        }
        EndRecord();
        return records;

        void EndRecord()
        {
            if (fieldStarted || fields.Count > 0)
            {
                fields.Add(field.ToString());
                records.Add([.. fields]);
            }
            fields.Clear();
            field.Clear();
            fieldStarted = false;
        }
    }
}
