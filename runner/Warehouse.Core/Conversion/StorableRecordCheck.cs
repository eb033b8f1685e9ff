using System.Text.Json;

namespace Warehouse.Core.Conversion;

/// <summary>
/// Finds, at convert time, what the staging tables would refuse in an encoded record, so that such a line becomes a reject
/// with its line number instead of failing its whole file's load (a COPY is all or nothing):
/// a string longer than its field's <c>maxLength</c> in models/*.avsc (the staging column's varchar size, counted in
/// UTF-8 bytes as Redshift counts it), a NUL byte (PostgreSQL text cannot hold U+0000), and a timestamp outside years
/// 1-9999 (what the loader accepts). Built from the schema's JSON; handles the field types the raw schemas use.
/// </summary>
public sealed class StorableRecordCheck
{
    private enum Kind { Long, Timestamp, String }

    private readonly record struct Field(string Name, Kind Kind, bool Nullable, int NullBranch, int MaxBytes);

    private readonly Field[] _fields;

    private StorableRecordCheck(Field[] fields) => _fields = fields;

    /// <summary>Reads the record schema's fields; a type the raw schemas do not use is an error (the check would be blind to it).</summary>
    public static StorableRecordCheck ForSchema(string schemaJson)
    {
        using var document = JsonDocument.Parse(schemaJson);
        var fields = new List<Field>();
        foreach (var field in document.RootElement.GetProperty("fields").EnumerateArray())
        {
            var name = field.GetProperty("name").GetString()!;
            var maxBytes = field.TryGetProperty("maxLength", out var max) ? max.GetInt32() : int.MaxValue;
            var type = field.GetProperty("type");
            var nullable = false;
            var nullBranch = 0;
            if (type.ValueKind == JsonValueKind.Array)
            {
                var branches = type.EnumerateArray().ToArray();
                nullBranch = Array.FindIndex(branches, b => b.ValueKind == JsonValueKind.String && b.GetString() == "null");
                if (branches.Length != 2 || nullBranch < 0)
                {
                    throw new WarehouseException($"field '{name}': only unions of null and one type are supported");
                }
                nullable = true;
                type = branches[1 - nullBranch];
            }
            fields.Add(new Field(name, KindOf(name, type), nullable, nullBranch, maxBytes));
        }
        return new StorableRecordCheck([.. fields]);
    }

    private static Kind KindOf(string name, JsonElement type)
    {
        if (type.ValueKind == JsonValueKind.Object)
        {
            var logical = type.TryGetProperty("logicalType", out var l) ? l.GetString() : null;
            return (type.GetProperty("type").GetString(), logical) switch
            {
                ("long", "timestamp-micros") => Kind.Timestamp,
                ("long", null) => Kind.Long,
                ("string", null) => Kind.String,
                var (t, lt) => throw new WarehouseException($"field '{name}': type {t}/{lt} is not supported by the storable check"),
            };
        }
        return type.GetString() switch
        {
            "long" => Kind.Long,
            "string" => Kind.String,
            var t => throw new WarehouseException($"field '{name}': type {t} is not supported by the storable check"),
        };
    }

    /// <summary>Null when every field of the encoded record fits its staging column, else the reject reason.</summary>
    public string? Check(ReadOnlySpan<byte> record)
    {
        var position = 0;
        var fields = _fields;
        // One vectorised pass over the whole record usually finds no zero byte at all (lengths, line numbers and
        // timestamps rarely encode to one), which spares a search per string.
        var mayHoldNul = record.Contains((byte)0);
        for (var i = 0; i < fields.Length; i++)
        {
            ref readonly var field = ref fields[i];
            if (field.Nullable && ReadLong(record, ref position) == field.NullBranch)
            {
                continue;
            }
            if (field.Kind == Kind.String)
            {
                var length = (int)ReadLong(record, ref position);
                if (length > field.MaxBytes)
                {
                    return $"field '{field.Name}' is {length:N0} bytes long; its staging column holds at most {field.MaxBytes:N0}";
                }
                if (mayHoldNul && record.Slice(position, length).Contains((byte)0))
                {
                    return $"field '{field.Name}' contains a NUL character (U+0000), which PostgreSQL text cannot store";
                }
                position += length;
            }
            else if (ReadLong(record, ref position) is < Timestamps.MinStorableMicros or > Timestamps.MaxStorableMicros
                     && field.Kind == Kind.Timestamp)
            {
                return $"field '{field.Name}' is outside years 1-9999";
            }
        }
        return null;
    }

    /// <summary>An Avro long: zig-zag varint. The record was just encoded by us, so it is well formed.</summary>
    private static long ReadLong(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong b = bytes[position++];
        if (b < 0x80)
        {
            return (long)(b >> 1) ^ -(long)(b & 1);
        }
        var value = b & 0x7F;
        var shift = 7;
        do
        {
            b = bytes[position++];
            value |= (b & 0x7F) << shift;
            shift += 7;
        }
        while (b >= 0x80);
        return (long)(value >> 1) ^ -(long)(value & 1);
    }
}
