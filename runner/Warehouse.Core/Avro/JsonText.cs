using System.Globalization;
using System.Text;

namespace Warehouse.Core.Avro;

/// <summary>
/// Minimal JSON text writing for <c>avro cat</c>'s records. Hand-written (rather than Utf8JsonWriter) so non-ASCII text
/// stays readable and bytes print as Avro prints them (code points 0-255).
/// </summary>
internal static class JsonText
{
    public static void AppendString(StringBuilder sb, ReadOnlySpan<char> value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029')
                    {
                        AppendUnicodeEscape(sb, c);
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>Bytes as a JSON string of code points 0-255 (Avro's JSON convention); all but printable ASCII escaped.</summary>
    public static void AppendBytes(StringBuilder sb, ReadOnlySpan<byte> value)
    {
        sb.Append('"');
        foreach (var b in value)
        {
            if (b is >= 0x20 and < 0x7F && b != (byte)'"' && b != (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                AppendUnicodeEscape(sb, (char)b);
            }
        }
        sb.Append('"');
    }

    private static void AppendUnicodeEscape(StringBuilder sb, char c) =>
        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));

    public static void AppendDouble(StringBuilder sb, double value)
    {
        // JSON has no NaN/Infinity; print them as strings so a line stays valid JSON.
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            AppendString(sb, value.ToString(CultureInfo.InvariantCulture));
            return;
        }
        sb.Append(value.ToString("R", CultureInfo.InvariantCulture));
    }

    public static void AppendFloat(StringBuilder sb, float value)
    {
        if (float.IsNaN(value) || float.IsInfinity(value))
        {
            AppendString(sb, value.ToString(CultureInfo.InvariantCulture));
            return;
        }
        sb.Append(value.ToString("R", CultureInfo.InvariantCulture));
    }
}
