using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Warehouse.Core.Avro;

/// <summary>The kinds of Avro schema (Avro 1.11 specification).</summary>
public enum AvroType
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed,
}

/// <summary>One field of a record schema.</summary>
public sealed class AvroField
{
    internal AvroField(string name, AvroSchema schema, int position, string? doc, string? defaultJson, string? order,
                       IReadOnlyList<string> aliases)
    {
        Name = name;
        Schema = schema;
        Position = position;
        Doc = doc;
        DefaultJson = defaultJson;
        Order = order;
        Aliases = aliases;
    }

    public string Name { get; }
    public AvroSchema Schema { get; }
    public int Position { get; }
    public string? Doc { get; }

    /// <summary>The field's default value as raw JSON text, or null when the field has no default.</summary>
    public string? DefaultJson { get; }

    public string? Order { get; }
    public IReadOnlyList<string> Aliases { get; }
}

/// <summary>
/// A parsed Avro schema: primitives, records, enums, arrays, maps, unions, fixed, named-type references with
/// namespaces, and the logical types (kept as an annotation; values stay their underlying primitive).
/// Named types are shared objects, so a recursive record refers to itself.
/// </summary>
public sealed class AvroSchema
{
    private static readonly AvroSchema[] Primitives =
        Enumerable.Range(0, (int)AvroType.String + 1).Select(t => new AvroSchema((AvroType)t)).ToArray();

    private readonly List<AvroField> _fields = [];
    private readonly Dictionary<string, int> _fieldIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _symbolIndex = new(StringComparer.Ordinal);
    private int _minEncodedSize = -1;

    private AvroSchema(AvroType type) => Type = type;

    public AvroType Type { get; }

    /// <summary>Simple name of a record, enum or fixed; null for other kinds.</summary>
    public string? Name { get; private set; }

    public string? Namespace { get; private set; }

    /// <summary>Namespace-qualified name of a record, enum or fixed; for other kinds the type name ("int", "array").</summary>
    public string FullName => Name is null ? TypeName(Type) : Namespace is null ? Name : Namespace + "." + Name;

    public string? Doc { get; private set; }
    public IReadOnlyList<string> Aliases { get; private set; } = [];
    public IReadOnlyList<AvroField> Fields => _fields;
    public IReadOnlyList<string> Symbols { get; private set; } = [];
    public string? EnumDefault { get; private set; }
    public AvroSchema? Items { get; private set; }
    public AvroSchema? Values { get; private set; }
    public IReadOnlyList<AvroSchema> Branches { get; private set; } = [];
    public int Size { get; private set; }

    /// <summary>Logical type name when it is valid for the underlying type (invalid ones are ignored, per the spec).</summary>
    public string? LogicalType { get; private set; }

    public int Precision { get; private set; }
    public int Scale { get; private set; }

    public bool IsNamed => Type is AvroType.Record or AvroType.Enum or AvroType.Fixed;

    /// <summary>Field by name, or null.</summary>
    public AvroField? GetField(string name) => _fieldIndex.TryGetValue(name, out var i) ? _fields[i] : null;

    internal int GetFieldPosition(string name) => _fieldIndex.TryGetValue(name, out var i) ? i : -1;

    internal int GetSymbolIndex(string symbol) => _symbolIndex.TryGetValue(symbol, out var i) ? i : -1;

    /// <summary>Index of the "null" branch of a union, or -1.</summary>
    internal int NullBranch { get; private set; } = -1;

    public override string ToString() => ToJson();

    // ---------------------------------------------------------------- parsing

    /// <summary>Parses schema JSON. Any problem is a <see cref="WarehouseException"/> naming what is wrong.</summary>
    public static AvroSchema Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new WarehouseException($"invalid Avro schema: not valid JSON ({ex.Message})", ex);
        }
        using (doc)
        {
            var names = new Dictionary<string, AvroSchema>(StringComparer.Ordinal);
            return ParseNode(doc.RootElement, null, names, 0);
        }
    }

    private static AvroSchema ParseNode(JsonElement node, string? enclosingNamespace,
                                        Dictionary<string, AvroSchema> names, int depth)
    {
        if (depth > 200)
        {
            throw Invalid("schema is nested too deeply");
        }
        switch (node.ValueKind)
        {
            case JsonValueKind.String:
                return ResolveName(node.GetString()!, enclosingNamespace, names);
            case JsonValueKind.Array:
                return ParseUnion(node, enclosingNamespace, names, depth);
            case JsonValueKind.Object:
                return ParseObject(node, enclosingNamespace, names, depth);
            default:
                throw Invalid($"expected a type name, object or array but found {Describe(node)}");
        }
    }

    private static AvroSchema ResolveName(string name, string? enclosingNamespace, Dictionary<string, AvroSchema> names)
    {
        var primitive = PrimitiveType(name);
        if (primitive is not null)
        {
            return Primitives[(int)primitive.Value];
        }
        if (!name.Contains('.', StringComparison.Ordinal) && enclosingNamespace is not null
            && names.TryGetValue(enclosingNamespace + "." + name, out var inNamespace))
        {
            return inNamespace;
        }
        if (names.TryGetValue(name, out var named))
        {
            return named;
        }
        throw Invalid($"unknown type \"{name}\"");
    }

    private static AvroSchema ParseUnion(JsonElement node, string? enclosingNamespace,
                                         Dictionary<string, AvroSchema> names, int depth)
    {
        var branches = new List<AvroSchema>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in node.EnumerateArray())
        {
            var branch = ParseNode(item, enclosingNamespace, names, depth + 1);
            if (branch.Type == AvroType.Union)
            {
                throw Invalid("a union may not immediately contain another union");
            }
            // Unnamed kinds may appear once each; named types once per full name.
            var key = branch.IsNamed ? branch.FullName : TypeName(branch.Type);
            if (!seen.Add(key))
            {
                throw Invalid($"union contains {key} more than once");
            }
            branches.Add(branch);
        }
        var union = new AvroSchema(AvroType.Union) { Branches = branches };
        union.NullBranch = branches.FindIndex(b => b.Type == AvroType.Null);
        return union;
    }

    private static AvroSchema ParseObject(JsonElement node, string? enclosingNamespace,
                                          Dictionary<string, AvroSchema> names, int depth)
    {
        if (!node.TryGetProperty("type", out var typeNode))
        {
            throw Invalid("schema object has no \"type\"");
        }
        if (typeNode.ValueKind != JsonValueKind.String)
        {
            // {"type": {...}} or {"type": [...]}: a wrapped schema (accepted by Apache's implementations).
            return ParseNode(typeNode, enclosingNamespace, names, depth + 1);
        }
        var typeName = typeNode.GetString()!;
        switch (typeName)
        {
            case "record":
            case "error":
                return ParseRecord(node, enclosingNamespace, names, depth);
            case "enum":
                return ParseEnum(node, enclosingNamespace, names);
            case "fixed":
                return WithLogicalType(ParseFixed(node, enclosingNamespace, names), node);
            case "array":
            {
                if (!node.TryGetProperty("items", out var items))
                {
                    throw Invalid("array schema has no \"items\"");
                }
                return new AvroSchema(AvroType.Array) { Items = ParseNode(items, enclosingNamespace, names, depth + 1) };
            }
            case "map":
            {
                if (!node.TryGetProperty("values", out var values))
                {
                    throw Invalid("map schema has no \"values\"");
                }
                return new AvroSchema(AvroType.Map) { Values = ParseNode(values, enclosingNamespace, names, depth + 1) };
            }
            default:
            {
                var primitive = PrimitiveType(typeName);
                if (primitive is null)
                {
                    // {"type": "SomeNamedType"} refers to a defined named type.
                    return ResolveName(typeName, enclosingNamespace, names);
                }
                if (!node.TryGetProperty("logicalType", out _))
                {
                    return Primitives[(int)primitive.Value];
                }
                return WithLogicalType(new AvroSchema(primitive.Value), node);
            }
        }
    }

    private static AvroSchema ParseRecord(JsonElement node, string? enclosingNamespace,
                                          Dictionary<string, AvroSchema> names, int depth)
    {
        var record = new AvroSchema(AvroType.Record);
        DefineName(record, node, enclosingNamespace, names);
        if (!node.TryGetProperty("fields", out var fieldsNode) || fieldsNode.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"record {record.FullName} has no \"fields\" array");
        }
        foreach (var fieldNode in fieldsNode.EnumerateArray())
        {
            if (fieldNode.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"record {record.FullName}: a field must be an object, found {Describe(fieldNode)}");
            }
            var name = RequiredString(fieldNode, "name", $"a field of record {record.FullName}");
            ValidateSimpleName(name, $"field name \"{name}\" in record {record.FullName}");
            if (!fieldNode.TryGetProperty("type", out var fieldType))
            {
                throw Invalid($"field {record.FullName}.{name} has no \"type\"");
            }
            var schema = ParseNode(fieldType, record.Namespace, names, depth + 1);
            string? order = null;
            if (fieldNode.TryGetProperty("order", out var orderNode))
            {
                order = orderNode.ValueKind == JsonValueKind.String ? orderNode.GetString() : null;
                if (order is not ("ascending" or "descending" or "ignore"))
                {
                    throw Invalid($"field {record.FullName}.{name}: order must be ascending, descending or ignore");
                }
            }
            var defaultJson = fieldNode.TryGetProperty("default", out var def) ? def.GetRawText() : null;
            if (record._fieldIndex.ContainsKey(name))
            {
                throw Invalid($"record {record.FullName} has two fields named \"{name}\"");
            }
            record._fieldIndex[name] = record._fields.Count;
            record._fields.Add(new AvroField(name, schema, record._fields.Count, OptionalString(fieldNode, "doc"),
                                             defaultJson, order, ReadAliases(fieldNode)));
        }
        return record;
    }

    private static AvroSchema ParseEnum(JsonElement node, string? enclosingNamespace, Dictionary<string, AvroSchema> names)
    {
        var schema = new AvroSchema(AvroType.Enum);
        DefineName(schema, node, enclosingNamespace, names);
        if (!node.TryGetProperty("symbols", out var symbolsNode) || symbolsNode.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"enum {schema.FullName} has no \"symbols\" array");
        }
        var symbols = new List<string>();
        foreach (var symbolNode in symbolsNode.EnumerateArray())
        {
            if (symbolNode.ValueKind != JsonValueKind.String)
            {
                throw Invalid($"enum {schema.FullName}: symbols must be strings, found {Describe(symbolNode)}");
            }
            var symbol = symbolNode.GetString()!;
            ValidateSimpleName(symbol, $"enum {schema.FullName} symbol \"{symbol}\"");
            if (!schema._symbolIndex.TryAdd(symbol, symbols.Count))
            {
                throw Invalid($"enum {schema.FullName} lists symbol \"{symbol}\" twice");
            }
            symbols.Add(symbol);
        }
        schema.Symbols = symbols;
        if (node.TryGetProperty("default", out var def))
        {
            var value = def.ValueKind == JsonValueKind.String ? def.GetString()! : null;
            if (value is null || !schema._symbolIndex.ContainsKey(value))
            {
                throw Invalid($"enum {schema.FullName}: default {def.GetRawText()} is not one of its symbols");
            }
            schema.EnumDefault = value;
        }
        return schema;
    }

    private static AvroSchema ParseFixed(JsonElement node, string? enclosingNamespace, Dictionary<string, AvroSchema> names)
    {
        var schema = new AvroSchema(AvroType.Fixed);
        DefineName(schema, node, enclosingNamespace, names);
        if (!node.TryGetProperty("size", out var sizeNode) || sizeNode.ValueKind != JsonValueKind.Number
            || !sizeNode.TryGetInt32(out var size) || size < 0)
        {
            throw Invalid($"fixed {schema.FullName} needs a non-negative integer \"size\"");
        }
        schema.Size = size;
        return schema;
    }

    /// <summary>Applies "logicalType" when it fits the underlying type; otherwise it is ignored, as the spec says.</summary>
    private static AvroSchema WithLogicalType(AvroSchema schema, JsonElement node)
    {
        var logical = OptionalString(node, "logicalType");
        if (logical is null)
        {
            return schema;
        }
        var fits = logical switch
        {
            "date" or "time-millis" => schema.Type == AvroType.Int,
            "time-micros" or "timestamp-millis" or "timestamp-micros" or "timestamp-nanos"
                or "local-timestamp-millis" or "local-timestamp-micros" or "local-timestamp-nanos" => schema.Type == AvroType.Long,
            "uuid" => schema.Type == AvroType.String || (schema.Type == AvroType.Fixed && schema.Size == 16),
            "duration" => schema.Type == AvroType.Fixed && schema.Size == 12,
            "decimal" => schema.Type is AvroType.Bytes or AvroType.Fixed && DecimalFits(schema, node),
            _ => false,
        };
        if (fits)
        {
            schema.LogicalType = logical;
        }
        return schema;
    }

    private static bool DecimalFits(AvroSchema schema, JsonElement node)
    {
        if (!node.TryGetProperty("precision", out var p) || p.ValueKind != JsonValueKind.Number
            || !p.TryGetInt32(out var precision) || precision <= 0)
        {
            return false;
        }
        var scale = 0;
        if (node.TryGetProperty("scale", out var s)
            && (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out scale) || scale < 0 || scale > precision))
        {
            return false;
        }
        if (schema.Type == AvroType.Fixed)
        {
            // The largest precision a signed two's-complement number of Size bytes can hold.
            var maxPrecision = schema.Size == 0 ? 0 : (int)Math.Floor(Math.Log10(2) * (8 * schema.Size - 1));
            if (precision > maxPrecision)
            {
                return false;
            }
        }
        schema.Precision = precision;
        schema.Scale = scale;
        return true;
    }

    private static void DefineName(AvroSchema schema, JsonElement node, string? enclosingNamespace,
                                   Dictionary<string, AvroSchema> names)
    {
        var kind = TypeName(schema.Type);
        var name = RequiredString(node, "name", $"a {kind} schema");
        string? ns;
        var lastDot = name.LastIndexOf('.');
        if (lastDot >= 0)
        {
            ns = name[..lastDot];
            name = name[(lastDot + 1)..];
        }
        else if (node.TryGetProperty("namespace", out var nsNode))
        {
            if (nsNode.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                throw Invalid($"{kind} {name}: \"namespace\" must be a string");
            }
            ns = nsNode.GetString();
        }
        else
        {
            ns = enclosingNamespace;
        }
        if (string.IsNullOrEmpty(ns))
        {
            ns = null;
        }
        ValidateSimpleName(name, $"{kind} name \"{name}\"");
        if (ns is not null)
        {
            foreach (var part in ns.Split('.'))
            {
                ValidateSimpleName(part, $"namespace \"{ns}\"");
            }
        }
        if (ns is null && PrimitiveType(name) is not null)
        {
            throw Invalid($"{kind} may not be named after the primitive type \"{name}\"");
        }
        schema.Name = name;
        schema.Namespace = ns;
        schema.Doc = OptionalString(node, "doc");
        schema.Aliases = ReadAliases(node);
        if (!names.TryAdd(schema.FullName, schema))
        {
            throw Invalid($"type {schema.FullName} is defined twice");
        }
    }

    private static IReadOnlyList<string> ReadAliases(JsonElement node)
    {
        if (!node.TryGetProperty("aliases", out var aliasesNode))
        {
            return [];
        }
        if (aliasesNode.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("\"aliases\" must be an array of names");
        }
        var aliases = new List<string>();
        foreach (var alias in aliasesNode.EnumerateArray())
        {
            if (alias.ValueKind != JsonValueKind.String)
            {
                throw Invalid("\"aliases\" must be an array of names");
            }
            aliases.Add(alias.GetString()!);
        }
        return aliases;
    }

    private static void ValidateSimpleName(string name, string what)
    {
        var ok = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_');
        for (var i = 1; ok && i < name.Length; i++)
        {
            ok = char.IsAsciiLetterOrDigit(name[i]) || name[i] == '_';
        }
        if (!ok)
        {
            throw Invalid($"{what} is not a valid Avro name (letters, digits and _, not starting with a digit)");
        }
    }

    private static string RequiredString(JsonElement node, string property, string what)
    {
        if (!node.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"{what} needs a string \"{property}\"");
        }
        return value.GetString()!;
    }

    private static string? OptionalString(JsonElement node, string property) =>
        node.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Describe(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Number => "the number " + node.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "a string",
    };

    private static WarehouseException Invalid(string message) => new("invalid Avro schema: " + message);

    private static AvroType? PrimitiveType(string name) => name switch
    {
        "null" => AvroType.Null,
        "boolean" => AvroType.Boolean,
        "int" => AvroType.Int,
        "long" => AvroType.Long,
        "float" => AvroType.Float,
        "double" => AvroType.Double,
        "bytes" => AvroType.Bytes,
        "string" => AvroType.String,
        _ => null,
    };

    internal static string TypeName(AvroType type) => type switch
    {
        AvroType.Null => "null",
        AvroType.Boolean => "boolean",
        AvroType.Int => "int",
        AvroType.Long => "long",
        AvroType.Float => "float",
        AvroType.Double => "double",
        AvroType.Bytes => "bytes",
        AvroType.String => "string",
        AvroType.Record => "record",
        AvroType.Enum => "enum",
        AvroType.Array => "array",
        AvroType.Map => "map",
        AvroType.Union => "union",
        AvroType.Fixed => "fixed",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    // ---------------------------------------------------------------- printing

    /// <summary>
    /// The schema as JSON with full names; each named type is written in full once and referenced by name afterwards.
    /// Keeps doc, aliases, defaults, order and logical types (unlike <see cref="ToCanonicalJson"/>).
    /// </summary>
    public string ToJson()
    {
        var sb = new StringBuilder();
        Write(sb, new HashSet<AvroSchema>(), canonical: false);
        return sb.ToString();
    }

    /// <summary>The Parsing Canonical Form of the Avro specification (used for fingerprints).</summary>
    public string ToCanonicalJson()
    {
        var sb = new StringBuilder();
        Write(sb, new HashSet<AvroSchema>(), canonical: true);
        return sb.ToString();
    }

    /// <summary>The spec's 64-bit Rabin fingerprint (CRC-64-AVRO) of the Parsing Canonical Form.</summary>
    public long Fingerprint64()
    {
        const ulong empty = 0xc15d213aa4d7a795UL;
        var table = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var fp = (ulong)i;
            for (var j = 0; j < 8; j++)
            {
                fp = (fp >> 1) ^ (empty & (0UL - (fp & 1)));
            }
            table[i] = fp;
        }
        var result = empty;
        foreach (var b in Encoding.UTF8.GetBytes(ToCanonicalJson()))
        {
            result = (result >> 8) ^ table[(int)(result ^ b) & 0xff];
        }
        return unchecked((long)result);
    }

    private void Write(StringBuilder sb, HashSet<AvroSchema> written, bool canonical)
    {
        if (IsNamed && !written.Add(this))
        {
            JsonText.AppendString(sb, FullName);
            return;
        }
        var hasAnnotations = !canonical && LogicalType is not null;
        switch (Type)
        {
            case AvroType.Union:
                sb.Append('[');
                for (var i = 0; i < Branches.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    Branches[i].Write(sb, written, canonical);
                }
                sb.Append(']');
                return;
            case AvroType.Array:
                sb.Append("{\"type\":\"array\",\"items\":");
                Items!.Write(sb, written, canonical);
                sb.Append('}');
                return;
            case AvroType.Map:
                sb.Append("{\"type\":\"map\",\"values\":");
                Values!.Write(sb, written, canonical);
                sb.Append('}');
                return;
            case AvroType.Record:
            case AvroType.Enum:
            case AvroType.Fixed:
                WriteNamed(sb, written, canonical);
                return;
            default:
                if (!hasAnnotations)
                {
                    JsonText.AppendString(sb, TypeName(Type));
                    return;
                }
                sb.Append("{\"type\":");
                JsonText.AppendString(sb, TypeName(Type));
                WriteLogicalType(sb);
                sb.Append('}');
                return;
        }
    }

    private void WriteNamed(StringBuilder sb, HashSet<AvroSchema> written, bool canonical)
    {
        sb.Append("{\"name\":");
        JsonText.AppendString(sb, FullName);
        sb.Append(",\"type\":");
        JsonText.AppendString(sb, TypeName(Type));
        if (!canonical)
        {
            WriteDocAndAliases(sb, Doc, Aliases);
        }
        switch (Type)
        {
            case AvroType.Record:
                sb.Append(",\"fields\":[");
                for (var i = 0; i < _fields.Count; i++)
                {
                    var field = _fields[i];
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    sb.Append("{\"name\":");
                    JsonText.AppendString(sb, field.Name);
                    sb.Append(",\"type\":");
                    field.Schema.Write(sb, written, canonical);
                    if (!canonical)
                    {
                        WriteDocAndAliases(sb, field.Doc, field.Aliases);
                        if (field.DefaultJson is not null)
                        {
                            sb.Append(",\"default\":").Append(field.DefaultJson);
                        }
                        if (field.Order is not null)
                        {
                            sb.Append(",\"order\":");
                            JsonText.AppendString(sb, field.Order);
                        }
                    }
                    sb.Append('}');
                }
                sb.Append(']');
                break;
            case AvroType.Enum:
                sb.Append(",\"symbols\":[");
                for (var i = 0; i < Symbols.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    JsonText.AppendString(sb, Symbols[i]);
                }
                sb.Append(']');
                if (!canonical && EnumDefault is not null)
                {
                    sb.Append(",\"default\":");
                    JsonText.AppendString(sb, EnumDefault);
                }
                break;
            case AvroType.Fixed:
                sb.Append(",\"size\":").Append(Size.ToString(CultureInfo.InvariantCulture));
                if (!canonical && LogicalType is not null)
                {
                    WriteLogicalType(sb);
                }
                break;
        }
        sb.Append('}');
    }

    private void WriteLogicalType(StringBuilder sb)
    {
        sb.Append(",\"logicalType\":");
        JsonText.AppendString(sb, LogicalType!);
        if (LogicalType == "decimal")
        {
            sb.Append(",\"precision\":").Append(Precision.ToString(CultureInfo.InvariantCulture));
            sb.Append(",\"scale\":").Append(Scale.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void WriteDocAndAliases(StringBuilder sb, string? doc, IReadOnlyList<string> aliases)
    {
        if (doc is not null)
        {
            sb.Append(",\"doc\":");
            JsonText.AppendString(sb, doc);
        }
        if (aliases.Count > 0)
        {
            sb.Append(",\"aliases\":[");
            for (var i = 0; i < aliases.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }
                JsonText.AppendString(sb, aliases[i]);
            }
            sb.Append(']');
        }
    }

    // ---------------------------------------------------------------- decoding support

    /// <summary>
    /// The fewest bytes one value of this schema can take when encoded. The reader uses it to reject declared array
    /// counts that could not fit in what remains of a block, before allocating anything.
    /// </summary>
    internal int MinEncodedSize
    {
        get
        {
            if (_minEncodedSize < 0)
            {
                _minEncodedSize = ComputeMinEncodedSize(new HashSet<AvroSchema>());
            }
            return _minEncodedSize;
        }
    }

    private int ComputeMinEncodedSize(HashSet<AvroSchema> visiting)
    {
        switch (Type)
        {
            case AvroType.Null:
                return 0;
            case AvroType.Float:
                return 4;
            case AvroType.Double:
                return 8;
            case AvroType.Fixed:
                return Size;
            case AvroType.Record:
            {
                if (!visiting.Add(this))
                {
                    return 0; // recursion ends through a union or array, which count their own byte
                }
                long total = 0;
                foreach (var field in _fields)
                {
                    total += field.Schema.ComputeMinEncodedSize(visiting);
                }
                visiting.Remove(this);
                return (int)Math.Min(total, int.MaxValue);
            }
            case AvroType.Union:
            {
                // The branch index is one byte at least, plus the smallest branch.
                var smallest = int.MaxValue;
                foreach (var branch in Branches)
                {
                    smallest = Math.Min(smallest, branch.ComputeMinEncodedSize(visiting));
                }
                return Branches.Count == 0 ? 1 : (int)Math.Min(1L + smallest, int.MaxValue);
            }
            default:
                return 1; // boolean, int, long, bytes, string, enum, array, map: at least one byte
        }
    }
}
