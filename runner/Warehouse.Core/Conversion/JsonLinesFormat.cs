using System.Text.Json;

namespace Warehouse.Core.Conversion;

/// <summary>A JSON-lines format: each line must be exactly one JSON object (<see cref="JsonLine.TryParseObject"/>), read by <see cref="TryRead"/>.</summary>
public abstract class JsonLinesFormat<T> : RawFormat<T> where T : class
{
    protected JsonLinesFormat(string sourceFile) : base(sourceFile)
    {
    }

    /// <summary>Reads the record from the line's object (valid only during the call); returns null and the record, or the reject reason.</summary>
    protected abstract string? TryRead(JsonElement root, long lineNumber, out T? record);

    protected sealed override string? TryParseValidUtf8(ReadOnlySpan<byte> line, long lineNumber, out T? record)
    {
        record = null;
        var reason = JsonLine.TryParseObject(line, out var document);
        if (reason is not null)
        {
            return reason;
        }
        using (document)
        {
            return TryRead(document!.RootElement, lineNumber, out record);
        }
    }
}
