using System.Text.Json;

namespace Warehouse.Core.Conversion;

/// <summary>Reading one JSON-lines record strictly, with reject reasons that name the field.</summary>
internal static class JsonLine
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    /// <summary>Parses the line as exactly one JSON object; returns null and the document, or the reject reason.</summary>
    public static string? TryParseObject(ReadOnlySpan<byte> line, out JsonDocument? document)
    {
        document = null;
        try
        {
            var reader = new Utf8JsonReader(line, Options);
            var parsed = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                parsed.Dispose();
                return "invalid JSON: unexpected content after the object";
            }
            if (parsed.RootElement.ValueKind != JsonValueKind.Object)
            {
                var kind = Kind(parsed.RootElement);
                parsed.Dispose();
                return $"expected a JSON object, got {kind}";
            }
            if (UnpairedSurrogate(line, parsed.RootElement) is { } where)
            {
                parsed.Dispose();
                return $"invalid JSON: {where} holds an unpaired surrogate escape (such as \\ud800), which is not a Unicode character";
            }
            document = parsed;
            return null;
        }
        catch (JsonException e)
        {
            return $"invalid JSON: {e.Message}";
        }
    }

    /// <summary>
    /// The first string (member name or value) that cannot be decoded because it escapes half of a surrogate pair, or
    /// null. The JSON parser accepts such escapes; turning them into text fails. Only lines with a \\uD escape are walked.
    /// </summary>
    private static string? UnpairedSurrogate(ReadOnlySpan<byte> line, JsonElement root)
    {
        if (line.IndexOf("\\ud"u8) < 0 && line.IndexOf("\\uD"u8) < 0)
        {
            return null;
        }
        static string? Walk(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    try
                    {
                        element.GetString();
                        return null;
                    }
                    catch (InvalidOperationException)
                    {
                        return $"the value of '{path}'";
                    }
                case JsonValueKind.Object:
                    foreach (var member in element.EnumerateObject())
                    {
                        string name;
                        try
                        {
                            name = member.Name;
                        }
                        catch (InvalidOperationException)
                        {
                            return $"a member name in '{path}'";
                        }
                        if (Walk(member.Value, path.Length == 0 ? name : $"{path}.{name}") is { } found)
                        {
                            return found;
                        }
                    }
                    return null;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        if (Walk(item, $"{path}[{index++}]") is { } found)
                        {
                            return found;
                        }
                    }
                    return null;
                default:
                    return null;
            }
        }
        return Walk(root, "");
    }

    /// <summary>A required string member; empty is allowed only when <paramref name="allowEmpty"/>.</summary>
    public static string? RequiredString(JsonElement obj, string path, string name, bool allowEmpty, out string value)
    {
        value = "";
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return $"missing field '{path}{name}'";
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            return $"field '{path}{name}' must be a string, got {Kind(element)}";
        }
        value = element.GetString()!;
        return value.Length == 0 && !allowEmpty ? $"field '{path}{name}' is empty" : null;
    }

    /// <summary>An optional string member: absent or JSON null is null.</summary>
    public static string? OptionalString(JsonElement obj, string path, string name, out string? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            return $"field '{path}{name}' must be a string or null, got {Kind(element)}";
        }
        value = element.GetString();
        return null;
    }

    /// <summary>A required integer member (a JSON number without fraction or exponent that fits a long).</summary>
    public static string? RequiredLong(JsonElement obj, string path, string name, out long value)
    {
        value = 0;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return $"missing field '{path}{name}'";
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out value))
        {
            return $"field '{path}{name}' must be an integer, got {Describe(element)}";
        }
        return null;
    }

    public static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>The kind, plus the value itself for a short scalar (e.g. a number '1.5').</summary>
    private static string Describe(JsonElement element) => element.ValueKind is JsonValueKind.Number or JsonValueKind.String
        ? $"{Kind(element)} {RawFormat.Quote(element.GetRawText())}"
        : Kind(element);
}
