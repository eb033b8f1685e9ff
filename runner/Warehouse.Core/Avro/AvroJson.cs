using System.Collections;
using System.Globalization;
using System.Text;
using Avro;

namespace Warehouse.Core.Avro;

/// <summary>
/// Prints generic Avro values as JSON for `warehouse avro cat`.
/// We chose a plain, "natural" JSON over the Avro JSON encoding because people read and grep these lines and load them
/// into other tools: records are objects, enums their symbol, arrays arrays, maps objects, and a union is just its
/// value (Avro's encoding would wrap it as {"type": value}). Bytes and fixed are strings of code points 0-255, every
/// byte outside printable ASCII written as a \u00XX escape (the same convention Avro uses for bytes). Logical types
/// print their underlying value (e.g. timestamp-micros as a number). NaN and infinities print as strings.
/// Trade-off: a union of string and bytes (or int and long) prints the same either way; the schema tells them apart.
/// </summary>
public static class AvroJson
{
    public static string ToJson(object? datum, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var sb = new StringBuilder();
        Append(sb, datum, schema);
        return sb.ToString();
    }

    public static void Append(StringBuilder sb, object? datum, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(schema);
        switch (datum)
        {
            case null:
                sb.Append("null");
                return;
            case bool b:
                sb.Append(b ? "true" : "false");
                return;
            case int i:
                sb.Append(i.ToString(CultureInfo.InvariantCulture));
                return;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                return;
            case float f:
                JsonText.AppendFloat(sb, f);
                return;
            case double d:
                JsonText.AppendDouble(sb, d);
                return;
            case string s:
                JsonText.AppendString(sb, s);
                return;
            case byte[] bytes:
                JsonText.AppendBytes(sb, bytes);
                return;
            case AvroEnum e:
                JsonText.AppendString(sb, e.Symbol);
                return;
            case AvroRecord record:
            {
                sb.Append('{');
                var fields = record.Schema.Fields;
                for (var i = 0; i < fields.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    JsonText.AppendString(sb, fields[i].Name);
                    sb.Append(':');
                    Append(sb, record[i], fields[i].Schema);
                }
                sb.Append('}');
                return;
            }
            case IDictionary map:
            {
                var values = Branch<MapSchema>(schema)?.ValueSchema ?? schema;
                sb.Append('{');
                var first = true;
                foreach (DictionaryEntry entry in map)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    JsonText.AppendString(sb, entry.Key.ToString());
                    sb.Append(':');
                    Append(sb, entry.Value, values);
                }
                sb.Append('}');
                return;
            }
            case IList list:
            {
                var items = Branch<ArraySchema>(schema)?.ItemSchema ?? schema;
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    Append(sb, list[i], items);
                }
                sb.Append(']');
                return;
            }
            default:
                JsonText.AppendString(sb, Convert.ToString(datum, CultureInfo.InvariantCulture));
                return;
        }
    }

    /// <summary>The schema itself, or a union's first branch of that kind (a union holds at most one array and one map).</summary>
    private static T? Branch<T>(Schema schema) where T : Schema =>
        schema as T ?? (schema as UnionSchema)?.Schemas.OfType<T>().FirstOrDefault();
}
