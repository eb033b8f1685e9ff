using System.Runtime.CompilerServices;
using System.Text;
using Warehouse.Core.Avro;
using Warehouse.Core.Load;
using Warehouse.Core.Models;

namespace Warehouse.Core.Conversion;

/// <summary>
/// http-log: <c>2019-08-27T00:07:05+00:00 POST /rewards/1529 2000020076516</c>, i.e. an ISO-8601 timestamp with an
/// offset, the method, the path and the user id, separated by spaces (a run of spaces or tabs counts as one).
/// This is the volume format, so the converter path works on byte spans and copies the fields straight into the
/// Avro strings (an Avro string is length + UTF-8 bytes, exactly what the line holds): no string per field.
/// </summary>
public sealed class HttpLogFormat(string sourceFile) : RawFormat<HttpLogRequest>(sourceFile)
{
    public override string Name => "http-log";

    public override Source Source => Sources.HttpLog;

    public override string SchemaJson => RawSchemas.Json(RawSchemas.HttpLog);

    public override void Write(HttpLogRequest record, AvroEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(encoder);
        encoder.WriteLong(record.EventAtMicros);
        encoder.WriteString(record.Method);
        encoder.WriteString(record.Path);
        encoder.WriteString(record.UserId);
        encoder.WriteString(record.SourceFile);
        encoder.WriteLong(record.SourceLine);
    }

    protected override string? TryParseValidUtf8(ReadOnlySpan<byte> line, long lineNumber, out HttpLogRequest? record)
    {
        record = null;
        var reason = TryParseFields(line, out var eventAt, out var method, out var path, out var userId);
        if (reason is null)
        {
            record = new HttpLogRequest(eventAt, Encoding.UTF8.GetString(line[method]), Encoding.UTF8.GetString(line[path]),
                Encoding.UTF8.GetString(line[userId]), SourceFile, lineNumber);
        }
        return reason;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override string? TryWriteValidUtf8(ReadOnlySpan<byte> line, long lineNumber, AvroEncoder encoder)
    {
        var reason = TryParseFields(line, out var eventAt, out var method, out var path, out var userId);
        if (reason is null)
        {
            encoder.WriteLong(eventAt);
            encoder.WriteBytes(line[method]);   // same encoding as an Avro string; the line is valid UTF-8
            encoder.WriteBytes(line[path]);
            encoder.WriteBytes(line[userId]);
            encoder.WriteBytes(SourceFileUtf8);
            encoder.WriteLong(lineNumber);
        }
        return reason;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? TryParseFields(ReadOnlySpan<byte> line, out long eventAt, out Range method, out Range path, out Range userId)
    {
        eventAt = 0;
        method = path = userId = default;
        Span<Range> fields = stackalloc Range[4];
        var count = SplitOnWhitespace(line, fields);
        if (count != 4)
        {
            return $"expected 4 space-separated fields (timestamp method path user_id), got {count}";
        }
        var timestamp = line[fields[0]];
        var problem = Timestamps.TryParseIso(timestamp, naiveIsUtc: false, allowSpaceSeparator: false, out eventAt);
        if (problem is not null)
        {
            return $"timestamp {Quote(timestamp)} is not ISO-8601 ({problem})";
        }
        var methodBytes = line[fields[1]];
        foreach (var b in methodBytes)
        {
            if (b is < (byte)'A' or > (byte)'Z')
            {
                return $"method {Quote(methodBytes)} is not an HTTP method (expected upper-case letters, e.g. GET)";
            }
        }
        (method, path, userId) = (fields[1], fields[2], fields[3]);
        return null;
    }

    /// <summary>Fills <paramref name="fields"/> with the first fields and returns how many fields there are in all.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SplitOnWhitespace(ReadOnlySpan<byte> line, Span<Range> fields)
    {
        var count = 0;
        var i = 0;
        while (true)
        {
            while (i < line.Length && line[i] is (byte)' ' or (byte)'\t')
            {
                i++;
            }
            if (i == line.Length)
            {
                return count;
            }
            var next = line[i..].IndexOfAny((byte)' ', (byte)'\t');
            var end = next < 0 ? line.Length : i + next;
            if (count < fields.Length)
            {
                fields[count] = i..end;
            }
            count++;
            i = end;
        }
    }
}
