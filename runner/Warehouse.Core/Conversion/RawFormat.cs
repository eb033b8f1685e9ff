using System.Text;
using System.Text.Unicode;
using Warehouse.Core.Avro;
using Warehouse.Core.Load;

namespace Warehouse.Core.Conversion;

/// <summary>
/// One raw input format: how a line becomes an Avro record of the format's schema (models/*.avsc), or a reject
/// reason. Instances are per conversion (they know the source file name and may cache, e.g. user-agent families).
/// </summary>
public abstract class RawFormat
{
    /// <summary>The CLI names of every format, in the order of the contract; apache and nginx are aliases of combined.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["http-log", "webshop-events", "device-events", "clickstream-csv", "combined", "common", "apache", "nginx"];

    protected RawFormat(string sourceFile)
    {
        ArgumentNullException.ThrowIfNull(sourceFile);
        SourceFile = Path.GetFileName(sourceFile);
        _sourceFileUtf8 = Encoding.UTF8.GetBytes(SourceFile);
    }

    /// <summary>Creates the format named on the command line; an unknown name is a <see cref="WarehouseException"/>.</summary>
    public static RawFormat Create(string name, string sourceFile) => name switch
    {
        "http-log" => new HttpLogFormat(sourceFile),
        "webshop-events" => new WebshopEventsFormat(sourceFile),
        "device-events" => new DeviceEventsFormat(sourceFile),
        "clickstream-csv" => new ClickstreamCsvFormat(sourceFile),
        "combined" or "apache" or "nginx" => new AccessLogFormat(sourceFile, combined: true),
        "common" => new AccessLogFormat(sourceFile, combined: false),
        _ => throw new WarehouseException($"unknown format '{name}' (expected one of: {string.Join(", ", Names)})"),
    };

    /// <summary>The format's CLI name, e.g. http-log.</summary>
    public abstract string Name { get; }

    /// <summary>The source its records load into (both access-log formats load into access_log).</summary>
    public abstract Source Source { get; }

    /// <summary>The Avro schema the records follow (models/*.avsc, embedded in this assembly).</summary>
    public abstract string SchemaJson { get; }

    /// <summary>The source file name as stored in the lineage field source_file (no directories).</summary>
    public string SourceFile { get; }

    /// <summary>True when line 1 is a header checked by <see cref="CheckHeader"/> rather than a record.</summary>
    public virtual bool HasHeader => false;

    /// <summary>Throws a <see cref="WarehouseException"/> when line 1 is not the expected header.</summary>
    public virtual void CheckHeader(ReadOnlySpan<byte> line)
    {
    }

    private readonly byte[] _sourceFileUtf8;

    /// <summary>The source file name as UTF-8, written into every record without re-encoding it.</summary>
    protected ReadOnlySpan<byte> SourceFileUtf8 => _sourceFileUtf8;

    /// <summary>
    /// Parses one non-blank line and, when it is good, writes its record to <paramref name="encoder"/> (fields in
    /// schema order, without EndRecord). Returns null on success, else the reject reason; nothing is written then.
    /// </summary>
    public string? TryWrite(ReadOnlySpan<byte> line, long lineNumber, AvroEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        // Checked once here so that every parser may copy bytes straight into Avro strings.
        return Utf8.IsValid(line) ? TryWriteValidUtf8(line, lineNumber, encoder) : NotUtf8Reason;
    }

    protected const string NotUtf8Reason = "line is not valid UTF-8";

    protected abstract string? TryWriteValidUtf8(ReadOnlySpan<byte> line, long lineNumber, AvroEncoder encoder);

    /// <summary>A nullable string field: union branch 0 is null, 1 is the string (["null", "string"]).</summary>
    protected static void WriteNullableString(AvroEncoder encoder, string? value)
    {
        if (value is null)
        {
            encoder.WriteUnionIndex(0);
        }
        else
        {
            encoder.WriteUnionIndex(1);
            encoder.WriteString(value);
        }
    }

    /// <summary>The user agent's families: browser, OS and device, three nullable strings in that order in every schema that has them.</summary>
    protected static void WriteFamilies(AvroEncoder encoder, string? browser, string? os, string? device)
    {
        WriteNullableString(encoder, browser);
        WriteNullableString(encoder, os);
        WriteNullableString(encoder, device);
    }

    /// <summary>Quotes a piece of raw input for a reject reason, shortened so a reason stays one readable line.</summary>
    protected internal static string Quote(ReadOnlySpan<byte> utf8) => Quote(Encoding.UTF8.GetString(utf8));

    protected internal static string Quote(string text) => text.Length <= 60 ? $"'{text}'" : $"'{text[..57]}...'";
}

/// <summary>A format whose lines parse to records of type <typeparamref name="T"/> (see Warehouse.Core.Models).</summary>
public abstract class RawFormat<T> : RawFormat where T : class
{
    protected RawFormat(string sourceFile) : base(sourceFile)
    {
    }

    /// <summary>Parses one line (1-based number <paramref name="lineNumber"/>); returns null and the record, or the reject reason.</summary>
    public string? TryParse(ReadOnlySpan<byte> line, long lineNumber, out T? record)
    {
        record = null;
        return Utf8.IsValid(line) ? TryParseValidUtf8(line, lineNumber, out record) : NotUtf8Reason;
    }

    /// <summary>Same as the byte version, for tests and callers holding a string.</summary>
    public string? TryParse(string line, long lineNumber, out T? record) => TryParse(Encoding.UTF8.GetBytes(line), lineNumber, out record);

    /// <summary>Writes a record's fields in schema order (without EndRecord).</summary>
    public abstract void Write(T record, AvroEncoder encoder);

    protected abstract string? TryParseValidUtf8(ReadOnlySpan<byte> line, long lineNumber, out T? record);

    protected override string? TryWriteValidUtf8(ReadOnlySpan<byte> line, long lineNumber, AvroEncoder encoder)
    {
        var reason = TryParseValidUtf8(line, lineNumber, out var record);
        if (reason is null)
        {
            Write(record!, encoder);
        }
        return reason;
    }
}
