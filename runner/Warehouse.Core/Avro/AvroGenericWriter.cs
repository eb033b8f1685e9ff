using System.Collections;

namespace Warehouse.Core.Avro;

/// <summary>
/// Encodes generic values (shaped as <see cref="AvroContainerReader"/> returns them) by walking the schema.
/// Also accepts a few natural .NET types: int/short/byte for long, DateTime/DateTimeOffset for timestamp and date
/// logical types, Guid for uuid, any IList for arrays and IDictionary&lt;string, ...&gt; for maps.
/// </summary>
internal static class AvroGenericWriter
{
    /// <summary>Deeper nesting than this is taken as a cycle in the value (a record that contains itself).</summary>
    internal const int MaxDepth = 512;

    /// <summary>Encodes <paramref name="datum"/>; a mismatch is a WarehouseException naming the field path.</summary>
    public static void Write(AvroEncoder encoder, AvroSchema schema, object? datum)
    {
        try
        {
            Write(encoder, schema, datum, 0);
        }
        catch (ValueException ex)
        {
            var path = ex.Path.Count == 0 ? "value" : string.Concat(ex.Path).TrimStart('.');
            throw new WarehouseException($"{path}: {ex.Message}", ex);
        }
    }

    private static void Write(AvroEncoder encoder, AvroSchema schema, object? datum, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ValueException($"nested more than {MaxDepth} levels deep (does a value contain itself?)");
        }
        switch (schema.Type)
        {
            case AvroType.Null:
                if (datum is not null)
                {
                    throw Mismatch(schema, datum);
                }
                return;
            case AvroType.Boolean:
                encoder.WriteBoolean(datum is bool b ? b : throw Mismatch(schema, datum));
                return;
            case AvroType.Int:
                encoder.WriteInt(AsInt(datum, schema));
                return;
            case AvroType.Long:
                encoder.WriteLong(AsLong(datum, schema));
                return;
            case AvroType.Float:
                encoder.WriteFloat(datum switch
                {
                    float f => f,
                    double d => (float)d,
                    int i => i,
                    long l => l,
                    _ => throw Mismatch(schema, datum),
                });
                return;
            case AvroType.Double:
                encoder.WriteDouble(datum switch
                {
                    double d => d,
                    float f => f,
                    int i => i,
                    long l => l,
                    _ => throw Mismatch(schema, datum),
                });
                return;
            case AvroType.String:
                encoder.WriteString(datum switch
                {
                    string s => s,
                    Guid g when schema.LogicalType == "uuid" => g.ToString("D"),
                    _ => throw Mismatch(schema, datum),
                });
                return;
            case AvroType.Bytes:
                encoder.WriteBytes(datum switch
                {
                    byte[] bytes => bytes,
                    ReadOnlyMemory<byte> memory => memory.Span,
                    _ => throw Mismatch(schema, datum),
                });
                return;
            case AvroType.Fixed:
            {
                var bytes = datum as byte[] ?? throw Mismatch(schema, datum);
                if (bytes.Length != schema.Size)
                {
                    throw new ValueException($"fixed {schema.FullName} needs exactly {schema.Size} bytes, got {bytes.Length}");
                }
                encoder.WriteFixed(bytes);
                return;
            }
            case AvroType.Enum:
            {
                var symbol = datum switch
                {
                    AvroEnum e => e.Symbol,
                    string s => s,
                    _ => throw Mismatch(schema, datum),
                };
                var index = schema.GetSymbolIndex(symbol);
                if (index < 0)
                {
                    throw new ValueException($"\"{symbol}\" is not a symbol of enum {schema.FullName}");
                }
                encoder.WriteEnum(index);
                return;
            }
            case AvroType.Array:
            {
                var list = datum as IList ?? throw Mismatch(schema, datum);
                if (list.Count > 0)
                {
                    encoder.WriteArrayBlock(list.Count);
                    for (var i = 0; i < list.Count; i++)
                    {
                        try
                        {
                            Write(encoder, schema.Items!, list[i], depth + 1);
                        }
                        catch (ValueException ex)
                        {
                            ex.Path.Insert(0, $"[{i}]");
                            throw;
                        }
                    }
                }
                encoder.WriteArrayEnd();
                return;
            }
            case AvroType.Map:
            {
                var map = datum as IDictionary ?? throw Mismatch(schema, datum);
                if (map.Count > 0)
                {
                    encoder.WriteMapBlock(map.Count);
                    foreach (DictionaryEntry entry in map)
                    {
                        var key = entry.Key as string
                            ?? throw new ValueException("map keys must be strings");
                        encoder.WriteString(key);
                        try
                        {
                            Write(encoder, schema.Values!, entry.Value, depth + 1);
                        }
                        catch (ValueException ex)
                        {
                            ex.Path.Insert(0, $"[\"{key}\"]");
                            throw;
                        }
                    }
                }
                encoder.WriteMapEnd();
                return;
            }
            case AvroType.Record:
            {
                var record = datum as AvroRecord ?? throw Mismatch(schema, datum);
                if (!ReferenceEquals(record.Schema, schema) && record.Schema.FullName != schema.FullName)
                {
                    throw Mismatch(schema, datum);
                }
                foreach (var field in schema.Fields)
                {
                    var position = record.Schema.GetFieldPosition(field.Name);
                    var value = position >= 0 ? record[position] : null;
                    try
                    {
                        Write(encoder, field.Schema, value, depth + 1);
                    }
                    catch (ValueException ex)
                    {
                        ex.Path.Insert(0, "." + field.Name);
                        throw;
                    }
                }
                return;
            }
            case AvroType.Union:
            {
                var branch = AvroGeneric.ResolveBranch(schema, datum);
                if (branch < 0)
                {
                    throw Mismatch(schema, datum);
                }
                encoder.WriteUnionIndex(branch);
                Write(encoder, schema.Branches[branch], datum, depth + 1);
                return;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(schema), schema.Type, "unknown Avro type");
        }
    }

    private static int AsInt(object? datum, AvroSchema schema)
    {
        switch (datum)
        {
            case int i:
                return i;
            case short s:
                return s;
            case byte b:
                return b;
            case long l when l is >= int.MinValue and <= int.MaxValue:
                return (int)l;
            case DateOnly date when schema.LogicalType == "date":
                return date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
            default:
                throw Mismatch(schema, datum);
        }
    }

    private static long AsLong(object? datum, AvroSchema schema)
    {
        switch (datum)
        {
            case long l:
                return l;
            case int i:
                return i;
            case short s:
                return s;
            case byte b:
                return b;
            case DateTimeOffset dto when schema.LogicalType is not null:
                return FromTicks(dto.UtcTicks - DateTime.UnixEpoch.Ticks, schema, datum);
            case DateTime dt when schema.LogicalType is not null:
                // Unspecified kinds are taken as UTC, the warehouse's convention for naive timestamps.
                var utc = dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : dt;
                return FromTicks(utc.Ticks - DateTime.UnixEpoch.Ticks, schema, datum);
            default:
                throw Mismatch(schema, datum);
        }
    }

    private static long FromTicks(long ticksSinceEpoch, AvroSchema schema, object datum) =>
        schema.LogicalType switch
        {
            "timestamp-millis" or "local-timestamp-millis" => FloorDivide(ticksSinceEpoch, TimeSpan.TicksPerMillisecond),
            "timestamp-micros" or "local-timestamp-micros" => FloorDivide(ticksSinceEpoch, TimeSpan.TicksPerMicrosecond),
            "timestamp-nanos" or "local-timestamp-nanos" => ticksSinceEpoch * 100,
            _ => throw Mismatch(schema, datum),
        };

    /// <summary>Rounds toward negative infinity, so an instant before 1970 maps to the unit that contains it.</summary>
    private static long FloorDivide(long value, long divisor)
    {
        var quotient = Math.DivRem(value, divisor, out var remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    private static ValueException Mismatch(AvroSchema schema, object? datum)
    {
        var got = datum is null ? "null" : datum.GetType().Name;
        var expected = schema.Type == AvroType.Union
            ? string.Join(" or ", schema.Branches.Select(b => b.FullName))
            : schema.FullName;
        return new ValueException($"expected {expected}, got {got}");
    }

    /// <summary>
    /// A value that does not fit the schema. The field path is collected while the exception unwinds, so the
    /// normal path builds no strings.
    /// </summary>
    private sealed class ValueException(string message) : Exception(message)
    {
        public List<string> Path { get; } = [];
    }
}

/// <summary>Rules shared by the generic writer and the JSON printer.</summary>
internal static class AvroGeneric
{
    /// <summary>Which union branch a generic value belongs to, or -1 when none fits.</summary>
    public static int ResolveBranch(AvroSchema union, object? datum)
    {
        var branches = union.Branches;
        if (datum is null)
        {
            return union.NullBranch;
        }
        // First pass: the branch whose natural .NET type is the value's own type.
        for (var i = 0; i < branches.Count; i++)
        {
            if (IsExact(branches[i], datum))
            {
                return i;
            }
        }
        // Second pass: widening (int -> long -> float -> double) and logical-type conveniences.
        for (var i = 0; i < branches.Count; i++)
        {
            var branch = branches[i];
            var fits = branch.Type switch
            {
                AvroType.Long => datum is int or short or byte
                    || (datum is DateTime or DateTimeOffset && branch.LogicalType is not null),
                AvroType.Int => datum is short or byte || (datum is DateOnly && branch.LogicalType == "date"),
                AvroType.Float => datum is int or long,
                AvroType.Double => datum is int or long or float,
                AvroType.String => datum is Guid && branch.LogicalType == "uuid",
                AvroType.Enum => datum is string s && branch.GetSymbolIndex(s) >= 0,
                AvroType.Record => datum is AvroRecord,
                _ => false,
            };
            if (fits)
            {
                return i;
            }
        }
        return -1;
    }

    private static bool IsExact(AvroSchema branch, object datum) => branch.Type switch
    {
        AvroType.Boolean => datum is bool,
        AvroType.Int => datum is int,
        AvroType.Long => datum is long,
        AvroType.Float => datum is float,
        AvroType.Double => datum is double,
        AvroType.String => datum is string,
        AvroType.Bytes => datum is byte[] or ReadOnlyMemory<byte>,
        AvroType.Fixed => datum is byte[] bytes && bytes.Length == branch.Size,
        AvroType.Enum => datum is AvroEnum e && branch.GetSymbolIndex(e.Symbol) >= 0,
        AvroType.Record => datum is AvroRecord r && (ReferenceEquals(r.Schema, branch) || r.Schema.FullName == branch.FullName),
        AvroType.Array => datum is IList and not byte[],
        AvroType.Map => datum is IDictionary,
        _ => false,
    };
}
