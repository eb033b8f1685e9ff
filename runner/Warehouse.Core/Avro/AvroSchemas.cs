using Avro;

namespace Warehouse.Core.Avro;

/// <summary>
/// Schemas are Apache.Avro's: parsed and validated by <see cref="Schema.Parse"/>. These are the few questions about a
/// schema our reader and loader ask that Apache's model does not answer directly.
/// </summary>
public static class AvroSchemas
{
    /// <summary>Parses schema JSON; any problem is one <see cref="WarehouseException"/> line.</summary>
    public static Schema Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return Schema.Parse(json);
        }
        catch (Exception e) when (e is AvroException or Newtonsoft.Json.JsonException or ArgumentException or InvalidOperationException
                                      or FormatException or NullReferenceException or InvalidCastException or KeyNotFoundException
                                      or OverflowException)
        {
            throw new WarehouseException($"invalid Avro schema: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>The schema values are encoded by: a logical type's underlying type, else the schema itself.</summary>
    public static Schema Encoded(Schema schema) => schema is LogicalSchema logical ? logical.BaseSchema : schema;

    /// <summary>The logical type's name (e.g. timestamp-micros) when Apache knows it, else null.</summary>
    public static string? LogicalTypeName(Schema schema) =>
        schema is LogicalSchema { LogicalType: not null and not global::Avro.Util.UnknownLogicalType } logical ? logical.LogicalTypeName : null;

    /// <summary>Index of the "null" branch of a union, or -1.</summary>
    public static int NullBranch(UnionSchema union)
    {
        ArgumentNullException.ThrowIfNull(union);
        for (var i = 0; i < union.Count; i++)
        {
            if (union[i].Tag == Schema.Type.Null)
            {
                return i;
            }
        }
        return -1;
    }
}

/// <summary>
/// The fewest bytes one value of a schema can take when encoded, remembered per schema object. The reader uses it to
/// reject declared counts that could not fit in what remains of a block, before allocating anything.
/// </summary>
internal sealed class MinEncodedSizes
{
    private readonly Dictionary<Schema, int> _sizes = new(ReferenceEqualityComparer.Instance);

    public int Of(Schema schema)
    {
        if (!_sizes.TryGetValue(schema, out var size))
        {
            size = Compute(schema, new HashSet<Schema>(ReferenceEqualityComparer.Instance));
            _sizes[schema] = size;
        }
        return size;
    }

    private static int Compute(Schema schema, HashSet<Schema> visiting)
    {
        switch (AvroSchemas.Encoded(schema))
        {
            case { Tag: Schema.Type.Null }:
                return 0;
            case { Tag: Schema.Type.Float }:
                return 4;
            case { Tag: Schema.Type.Double }:
                return 8;
            case FixedSchema fixedSchema:
                return fixedSchema.Size;
            case RecordSchema record:
            {
                if (!visiting.Add(record))
                {
                    return 0; // recursion ends through a union or array, which count their own byte
                }
                long total = 0;
                foreach (var field in record.Fields)
                {
                    total += Compute(field.Schema, visiting);
                }
                visiting.Remove(record);
                return (int)Math.Min(total, int.MaxValue);
            }
            case UnionSchema union:
            {
                // The branch index is one byte at least, plus the smallest branch.
                var smallest = int.MaxValue;
                foreach (var branch in union.Schemas)
                {
                    smallest = Math.Min(smallest, Compute(branch, visiting));
                }
                return union.Count == 0 ? 1 : (int)Math.Min(1L + smallest, int.MaxValue);
            }
            default:
                return 1; // boolean, int, long, bytes, string, enum, array, map: at least one byte
        }
    }
}
