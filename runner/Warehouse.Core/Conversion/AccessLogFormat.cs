using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using Warehouse.Core.Avro;
using Warehouse.Core.Load;
using Warehouse.Core.Models;

namespace Warehouse.Core.Conversion;

/// <summary>
/// combined and common: the access logs of Apache httpd and nginx (<c>apache</c> and <c>nginx</c> name combined).
/// <c>host ident authuser [dd/Mon/yyyy:HH:mm:ss ±hhmm] "request" status bytes "referer" "user-agent"</c>; common ends
/// after bytes. The rules follow what the servers write:
/// <list type="bullet">
/// <item>'-' is null for ident, authuser, bytes, referrer and user agent; authuser is everything up to " [".</item>
/// <item>Quoted fields escape a quote and a backslash (\" \\ in Apache, \x22 \x5C in nginx) and bytes that are not
/// printable ASCII (\xHH). Escapes are undone where the result is text: \" \\, \xHH of printable ASCII, and runs of
/// \xHH that form valid UTF-8. Escaped control bytes (a raw TLS handshake), bytes of another encoding and \n-style
/// escapes stay as logged, so a field never holds a NUL or invalid UTF-8.</item>
/// <item>The request is kept whole; method, path, query string and protocol are filled only when it is
/// <c>METHOD target HTTP/x</c> (servers log whatever a client sent, also TLS bytes on a plain port or a bare '-').</item>
/// <item>Fields after the format's last one (nginx configurations often append some) are ignored.</item>
/// </list>
/// Any other line is a reject saying which part is wrong. This is the volume format of web logs: fields are byte
/// spans of the line written straight into the Avro strings; only escaped fields are copied.
/// </summary>
public sealed class AccessLogFormat(string sourceFile, bool combined) : RawFormat<AccessLogRequest>(sourceFile)
{
    public const string CombinedName = "combined";
    public const string CommonName = "common";

    /// <summary>Other names of combined on the command line: the servers that write it by default.</summary>
    public static readonly IReadOnlyList<string> CombinedAliases = ["apache", "nginx"];

    public const string CommonLayout = "host ident authuser [dd/Mon/yyyy:HH:mm:ss ±hhmm] \"request\" status bytes";
    public const string CombinedLayout = CommonLayout + " \"referer\" \"user-agent\"";

    private readonly UserAgentCache _userAgents = new();

    /// <summary>Where unescaped fields are copied; unescaping never lengthens a field, so the line's length suffices.</summary>
    private byte[] _unescaped = new byte[4096];

    public override string Name => combined ? CombinedName : CommonName;

    public override Source Source => Sources.AccessLog;

    public override string SchemaJson => RawSchemas.Json(RawSchemas.AccessLog);

    private string NotALogLine => $"not an access log line (expected {(combined ? CombinedLayout : CommonLayout)})";

    /// <summary>The format <paramref name="line"/> is in: combined, else common, else null (for recognising files by content).</summary>
    public static string? Detect(ReadOnlySpan<byte> line)
    {
        if (!Utf8.IsValid(line))
        {
            return null;
        }
        foreach (var isCombined in (ReadOnlySpan<bool>)[true, false])
        {
            var format = new AccessLogFormat("", isCombined);
            if (format.TryParseFields(line, out _) is null)
            {
                return format.Name;
            }
        }
        return null;
    }

    public override void Write(AccessLogRequest record, AvroEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(encoder);
        encoder.WriteString(record.ClientAddress);
        WriteNullableString(encoder, record.Ident);
        WriteNullableString(encoder, record.AuthUser);
        encoder.WriteLong(record.EventAtMicros);
        encoder.WriteLong(record.UtcOffsetMinutes);
        encoder.WriteString(record.Request);
        WriteNullableString(encoder, record.Method);
        WriteNullableString(encoder, record.Path);
        WriteNullableString(encoder, record.QueryString);
        WriteNullableString(encoder, record.Protocol);
        encoder.WriteLong(record.Status);
        WriteNullableLong(encoder, record.ResponseBytes);
        WriteNullableString(encoder, record.Referrer);
        WriteNullableString(encoder, record.UserAgent);
        WriteFamilies(encoder, record.BrowserFamily, record.OsFamily, record.DeviceFamily);
        encoder.WriteString(record.SourceFile);
        encoder.WriteLong(record.SourceLine);
    }

    protected override string? TryParseValidUtf8(ReadOnlySpan<byte> line, long lineNumber, out AccessLogRequest? record)
    {
        record = null;
        var reason = TryParseFields(line, out var f);
        if (reason is not null)
        {
            return reason;
        }
        var agent = StringOrNull(f.HasAgent, f.Agent);
        var (browser, os, device) = _userAgents.Classify(agent);
        record = new AccessLogRequest(Encoding.UTF8.GetString(f.Client), StringOrNull(f.HasIdent, f.Ident),
            StringOrNull(f.HasAuthUser, f.AuthUser), f.EventAt, f.OffsetMinutes, Encoding.UTF8.GetString(f.Request),
            StringOrNull(f.IsRequestLine, f.Method), StringOrNull(f.IsRequestLine, f.Path), StringOrNull(f.HasQuery, f.Query),
            StringOrNull(f.IsRequestLine, f.Protocol), f.Status, f.HasBytes ? f.Bytes : null,
            StringOrNull(f.HasReferrer, f.Referrer), agent, browser, os, device, SourceFile, lineNumber);
        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override string? TryWriteValidUtf8(ReadOnlySpan<byte> line, long lineNumber, AvroEncoder encoder)
    {
        var reason = TryParseFields(line, out var f);
        if (reason is not null)
        {
            return reason;
        }
        encoder.WriteBytes(f.Client);   // same encoding as an Avro string; the line is valid UTF-8
        WriteNullableBytes(encoder, f.HasIdent, f.Ident);
        WriteNullableBytes(encoder, f.HasAuthUser, f.AuthUser);
        encoder.WriteLong(f.EventAt);
        encoder.WriteLong(f.OffsetMinutes);
        encoder.WriteBytes(f.Request);
        WriteNullableBytes(encoder, f.IsRequestLine, f.Method);
        WriteNullableBytes(encoder, f.IsRequestLine, f.Path);
        WriteNullableBytes(encoder, f.HasQuery, f.Query);
        WriteNullableBytes(encoder, f.IsRequestLine, f.Protocol);
        encoder.WriteLong(f.Status);
        WriteNullableLong(encoder, f.HasBytes ? f.Bytes : null);
        WriteNullableBytes(encoder, f.HasReferrer, f.Referrer);
        WriteNullableBytes(encoder, f.HasAgent, f.Agent);
        if (f.HasAgent)
        {
            var family = _userAgents.Classify(f.Agent);
            WriteNullableString(encoder, family.Browser);
            WriteNullableString(encoder, family.Os);
            WriteNullableString(encoder, family.Device);
        }
        else
        {
            encoder.WriteUnionIndex(0);
            encoder.WriteUnionIndex(0);
            encoder.WriteUnionIndex(0);
        }
        encoder.WriteBytes(SourceFileUtf8);
        encoder.WriteLong(lineNumber);
        return null;
    }

    /// <summary>The fields of one line: spans of the line, or of <see cref="_unescaped"/> for escaped quoted fields.</summary>
    private ref struct Fields
    {
        public ReadOnlySpan<byte> Client, Ident, AuthUser, Request, Method, Path, Query, Protocol, Referrer, Agent;
        public long EventAt, Status, Bytes;
        public int OffsetMinutes;
        public bool HasIdent, HasAuthUser, IsRequestLine, HasQuery, HasBytes, HasReferrer, HasAgent;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string? TryParseFields(ReadOnlySpan<byte> line, out Fields f)
    {
        f = default;
        if (_unescaped.Length < line.Length)
        {
            _unescaped = new byte[line.Length];
        }
        var scratch = 0;

        // host ident authuser [
        var hostEnd = line.IndexOf((byte)' ');
        if (hostEnd <= 0)
        {
            return NotALogLine;
        }
        var identEnd = line[(hostEnd + 1)..].IndexOf((byte)' ');
        if (identEnd <= 0)
        {
            return NotALogLine;
        }
        identEnd += hostEnd + 1;
        var timeOpen = line[(identEnd + 1)..].IndexOf(" ["u8);
        if (timeOpen <= 0)
        {
            return $"{NotALogLine}: no [time] after host, ident and authuser";
        }
        timeOpen += identEnd + 1;
        f.Client = line[..hostEnd];
        f.Ident = line[(hostEnd + 1)..identEnd];
        f.HasIdent = !IsDash(f.Ident);
        f.AuthUser = line[(identEnd + 1)..timeOpen];
        f.HasAuthUser = !IsDash(f.AuthUser);

        // [time]
        var timeStart = timeOpen + 2;
        var timeLength = line[timeStart..].IndexOf((byte)']');
        if (timeLength < 0)
        {
            return "the [time] has no closing ']'";
        }
        var time = line.Slice(timeStart, timeLength);
        var problem = Timestamps.TryParseAccessLog(time, out f.EventAt, out f.OffsetMinutes);
        if (problem is not null)
        {
            return $"time {Quote(time)} is not dd/Mon/yyyy:HH:mm:ss ±hhmm ({problem})";
        }

        // "request"
        var i = timeStart + timeLength + 1;
        if (!line[i..].StartsWith(" \""u8))
        {
            return "expected a space and the quoted request after the [time]";
        }
        i = ReadQuoted(line, i + 1, ref scratch, out f.Request);
        if (i < 0)
        {
            return "the request has no closing quote";
        }
        SplitRequestLine(ref f);

        // status bytes
        if (!line[i..].StartsWith(" "u8))
        {
            return "expected a space and the status after the quoted request";
        }
        var status = Token(line, i + 1);
        if (status.Length != 3 || !TryParseDigits(status, out f.Status))
        {
            return $"status {Quote(status)} is not a 3-digit HTTP status";
        }
        i += 1 + status.Length;
        if (i == line.Length)
        {
            return "the line ends after the status: no bytes";
        }
        var bytes = Token(line, i + 1);
        f.HasBytes = !IsDash(bytes);
        if (f.HasBytes && (bytes.Length is 0 or > 18 || !TryParseDigits(bytes, out f.Bytes)))
        {
            return $"bytes {Quote(bytes)} is neither a number nor '-'";
        }
        i += 1 + bytes.Length;
        if (!combined)
        {
            return null;
        }

        // "referer" "user-agent"
        if (i == line.Length)
        {
            return "the line ends after the bytes: no referrer and user agent (a line of the common format?)";
        }
        if (!line[i..].StartsWith(" \""u8))
        {
            return "expected a space and the quoted referrer after the bytes";
        }
        i = ReadQuoted(line, i + 1, ref scratch, out f.Referrer);
        if (i < 0)
        {
            return "the referrer has no closing quote";
        }
        f.HasReferrer = !IsDash(f.Referrer);
        if (!line[i..].StartsWith(" \""u8))
        {
            return "expected a space and the quoted user agent after the referrer";
        }
        i = ReadQuoted(line, i + 1, ref scratch, out f.Agent);
        if (i < 0)
        {
            return "the user agent has no closing quote";
        }
        f.HasAgent = !IsDash(f.Agent);
        return i == line.Length || line[i] is (byte)' ' or (byte)'\t' ? null : "unexpected text right after the quoted user agent";
    }

    /// <summary>Method, path, query string and protocol when the request is <c>METHOD target HTTP/x</c>.</summary>
    private static void SplitRequestLine(ref Fields f)
    {
        var request = f.Request;
        var methodEnd = request.IndexOf((byte)' ');
        if (methodEnd <= 0 || methodEnd > 16)
        {
            return;
        }
        var method = request[..methodEnd];
        if (method.IndexOfAnyExceptInRange((byte)'A', (byte)'Z') >= 0)
        {
            return;
        }
        var rest = request[(methodEnd + 1)..];
        var targetEnd = rest.IndexOf((byte)' ');
        if (targetEnd <= 0)
        {
            return;
        }
        var protocol = rest[(targetEnd + 1)..];
        if (!protocol.StartsWith("HTTP/"u8) || protocol.Length > 16 || protocol.IndexOf((byte)' ') >= 0)
        {
            return;
        }
        var target = rest[..targetEnd];
        var question = target.IndexOf((byte)'?');
        f.IsRequestLine = true;
        f.Method = method;
        f.Protocol = protocol;
        f.Path = question < 0 ? target : target[..question];
        f.HasQuery = question >= 0;
        f.Query = question < 0 ? default : target[(question + 1)..];
    }

    /// <summary>
    /// Reads the quoted field whose opening quote is at <paramref name="open"/>; returns the index after its closing
    /// quote, or -1 when there is none. An escaped field is unescaped into <see cref="_unescaped"/> at <paramref name="scratch"/>.
    /// </summary>
    private int ReadQuoted(ReadOnlySpan<byte> line, int open, scoped ref int scratch, out ReadOnlySpan<byte> value)
    {
        value = default;
        var escaped = false;
        var i = open + 1;
        while (true)
        {
            var next = line[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return -1;
            }
            i += next;
            if (line[i] == '"')
            {
                break;
            }
            escaped = true;
            i += 2;   // the backslash and the byte it escapes
            if (i > line.Length)
            {
                return -1;
            }
        }
        var raw = line[(open + 1)..i];
        if (!escaped)
        {
            value = raw;
        }
        else
        {
            var length = Unescape(raw, _unescaped.AsSpan(scratch));
            value = _unescaped.AsSpan(scratch, length);
            scratch += length;
        }
        return i + 1;
    }

    /// <summary>Undoes the escapes whose result is text (see the class comment); returns the bytes written.</summary>
    internal static int Unescape(ReadOnlySpan<byte> raw, Span<byte> output)
    {
        var n = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var b = raw[i];
            if (b == '\\' && i + 1 < raw.Length)
            {
                var escapedByte = raw[i + 1];
                if (escapedByte is (byte)'"' or (byte)'\\')
                {
                    output[n++] = escapedByte;
                    i += 2;
                    continue;
                }
                if (TryHexEscape(raw, i, out var value))
                {
                    if (value is >= 0x20 and < 0x7F)
                    {
                        output[n++] = value;
                        i += 4;
                        continue;
                    }
                    if (value >= 0x80)
                    {
                        // A run of escaped non-ASCII bytes: decoded when it is UTF-8, else (another encoding) kept as logged.
                        var start = n;
                        var end = i;
                        while (TryHexEscape(raw, end, out var runByte) && runByte >= 0x80)
                        {
                            output[n++] = runByte;
                            end += 4;
                        }
                        if (!Utf8.IsValid(output[start..n]))
                        {
                            raw[i..end].CopyTo(output[start..]);
                            n = start + (end - i);
                        }
                        i = end;
                        continue;
                    }
                }
            }
            output[n++] = b;   // other escapes (control bytes, \n) stay as logged
            i++;
        }
        return n;
    }

    private static bool TryHexEscape(ReadOnlySpan<byte> raw, int i, out byte value)
    {
        value = 0;
        if (i + 4 > raw.Length || raw[i] != '\\' || raw[i + 1] != 'x')
        {
            return false;
        }
        var high = HexValue(raw[i + 2]);
        var low = HexValue(raw[i + 3]);
        if (high < 0 || low < 0)
        {
            return false;
        }
        value = (byte)(high * 16 + low);
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>The bytes from <paramref name="start"/> up to the next space or the end of the line.</summary>
    private static ReadOnlySpan<byte> Token(ReadOnlySpan<byte> line, int start)
    {
        var rest = line[start..];
        var space = rest.IndexOf((byte)' ');
        return space < 0 ? rest : rest[..space];
    }

    private static bool TryParseDigits(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        foreach (var d in digits)
        {
            if ((uint)(d - '0') > 9)
            {
                return false;
            }
            value = value * 10 + (d - '0');
        }
        return true;
    }

    private static bool IsDash(ReadOnlySpan<byte> field) => field.Length == 1 && field[0] == '-';

    private static string? StringOrNull(bool present, ReadOnlySpan<byte> utf8) => present ? Encoding.UTF8.GetString(utf8) : null;

    private static void WriteNullableBytes(AvroEncoder encoder, bool present, ReadOnlySpan<byte> utf8)
    {
        if (present)
        {
            encoder.WriteUnionIndex(1);
            encoder.WriteBytes(utf8);
        }
        else
        {
            encoder.WriteUnionIndex(0);
        }
    }

    private static void WriteNullableLong(AvroEncoder encoder, long? value)
    {
        if (value is { } v)
        {
            encoder.WriteUnionIndex(1);
            encoder.WriteLong(v);
        }
        else
        {
            encoder.WriteUnionIndex(0);
        }
    }
}
