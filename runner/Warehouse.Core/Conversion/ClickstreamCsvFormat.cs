using System.Text;
using Warehouse.Core.Avro;
using Warehouse.Core.Load;
using Warehouse.Core.Models;

namespace Warehouse.Core.Conversion;

/// <summary>
/// clickstream-csv: RFC 4180 CSV with the header <c>ip,original_timestamp,productId,userAgent,userId</c> on line 1.
/// Fields may be quoted ("..." with "" for a quote, commas inside). One physical line is one row: the raw files are
/// line-oriented and a quoted field spanning lines is far likelier to be a broken row than a real one, so an
/// unterminated quote is a reject rather than a reason to swallow the following lines. An empty cell is null.
/// </summary>
public sealed class ClickstreamCsvFormat(string sourceFile) : RawFormat<ClickstreamEvent>(sourceFile)
{
    public static readonly IReadOnlyList<string> Columns = ["ip", "original_timestamp", "productId", "userAgent", "userId"];

    private readonly UserAgentCache _userAgents = new();
    private readonly List<string> _fields = new(Columns.Count);

    public override string Name => "clickstream-csv";

    public override Source Source => Sources.Clickstream;

    public override string SchemaJson => RawSchemas.Json(RawSchemas.Clickstream);

    public override bool HasHeader => true;

    public static string ExpectedHeader => string.Join(',', Columns);

    public override void CheckHeader(ReadOnlySpan<byte> line)
    {
        var text = Encoding.UTF8.GetString(line);
        if (SplitCsv(text, _fields) is not null || !_fields.SequenceEqual(Columns))
        {
            throw new WarehouseException(Pipeline.InputHeaders.Problem(SourceFile, ExpectedHeader, text));
        }
    }

    public override void Write(ClickstreamEvent record, AvroEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(encoder);
        encoder.WriteString(record.UserId);
        encoder.WriteLong(record.EventAtMicros);
        WriteNullableString(encoder, record.ProductId);
        WriteNullableString(encoder, record.Ip);
        WriteNullableString(encoder, record.UserAgent);
        WriteFamilies(encoder, record.BrowserFamily, record.OsFamily, record.DeviceFamily);
        encoder.WriteString(record.SourceFile);
        encoder.WriteLong(record.SourceLine);
    }

    protected override string? TryParseValidUtf8(ReadOnlySpan<byte> line, long lineNumber, out ClickstreamEvent? record)
    {
        record = null;
        var reason = SplitCsv(Encoding.UTF8.GetString(line), _fields);
        if (reason is not null)
        {
            return reason;
        }
        if (_fields.Count != Columns.Count)
        {
            return $"expected {Columns.Count} comma-separated fields ({ExpectedHeader}), got {_fields.Count}";
        }
        var (ip, timestamp, productId, userAgent, userId) = (_fields[0], _fields[1], _fields[2], _fields[3], _fields[4]);
        if (userId.Length == 0)
        {
            return "userId is empty";
        }
        if (timestamp.Length == 0)
        {
            return "original_timestamp is empty";
        }
        var problem = Timestamps.TryParseEpochSeconds(timestamp, out var eventAt);
        if (problem is not null)
        {
            return $"original_timestamp {Quote(timestamp)} is not epoch seconds ({problem})";
        }
        var agent = NullIfEmpty(userAgent);
        var (browser, os, device) = _userAgents.Classify(agent);
        record = new ClickstreamEvent(userId, eventAt, NullIfEmpty(productId), NullIfEmpty(ip), agent, browser, os, device,
            SourceFile, lineNumber);
        return null;
    }

    /// <summary>Splits one CSV row into <paramref name="fields"/>; returns null, or what is malformed.</summary>
    internal static string? SplitCsv(string line, List<string> fields)
    {
        fields.Clear();
        var i = 0;
        var cell = new StringBuilder();
        while (true)
        {
            cell.Clear();
            var number = fields.Count + 1;
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    var quote = line.IndexOf('"', i);
                    if (quote < 0)
                    {
                        return $"field {number} has an unterminated quote (a quoted field must end on the same line)";
                    }
                    cell.Append(line, i, quote - i);
                    i = quote + 1;
                    if (i < line.Length && line[i] == '"')
                    {
                        cell.Append('"');   // "" inside quotes is one quote
                        i++;
                        continue;
                    }
                    break;
                }
                if (i < line.Length && line[i] != ',')
                {
                    return $"field {number} has text after its closing quote";
                }
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                if (line.AsSpan(i, end - i).Contains('"'))
                {
                    return $"field {number} has a quote but is not quoted (write it as \"...\" with \"\" for a quote)";
                }
                cell.Append(line, i, end - i);
                i = end;
            }
            fields.Add(cell.ToString());
            if (i >= line.Length)
            {
                return null;
            }
            i++;   // the comma
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
