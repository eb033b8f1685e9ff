using System.Collections;
using Avro;
using Warehouse.Core.Avro;

namespace Warehouse.Tests.Avro;

/// <summary>
/// Encodes generic values shaped as <see cref="AvroContainerReader"/> returns them (an <see cref="AvroRecord"/>, an
/// <see cref="AvroEnum"/>, lists, string-keyed dictionaries, logical types as their underlying value), so tests can write
/// any file through <see cref="AvroContainerWriter"/> and compare what our reader gives back. The production writers
/// encode their own records (converters) or use Apache's GenericDatumWriter (mart export).
/// </summary>
internal static class GenericEncoder
{
    public static void Write(AvroEncoder encoder, Schema schema, object? datum)
    {
        switch (AvroSchemas.Encoded(schema))
        {
            case { Tag: Schema.Type.Null }:
                Check(datum is null, schema, datum);
                return;
            case { Tag: Schema.Type.Boolean }:
                encoder.WriteBoolean(datum is bool b ? b : throw Mismatch(schema, datum));
                return;
            case { Tag: Schema.Type.Int }:
                encoder.WriteInt(datum is int i ? i : throw Mismatch(schema, datum));
                return;
            case { Tag: Schema.Type.Long }:
                encoder.WriteLong(datum switch { long l => l, int n => n, _ => throw Mismatch(schema, datum) });
                return;
            case { Tag: Schema.Type.Float }:
                encoder.WriteFloat(datum is float f ? f : throw Mismatch(schema, datum));
                return;
            case { Tag: Schema.Type.Double }:
                encoder.WriteDouble(datum is double d ? d : throw Mismatch(schema, datum));
                return;
            case { Tag: Schema.Type.String }:
                encoder.WriteString(datum as string ?? throw Mismatch(schema, datum));
                return;
            case { Tag: Schema.Type.Bytes }:
                encoder.WriteBytes(datum as byte[] ?? throw Mismatch(schema, datum));
                return;
            case FixedSchema fixedSchema:
                Check(datum is byte[] { Length: var length } && length == fixedSchema.Size, schema, datum);
                encoder.WriteFixed((byte[])datum!);
                return;
            case EnumSchema enumSchema:
                encoder.WriteEnum(enumSchema.Ordinal(((AvroEnum?)datum ?? throw Mismatch(schema, datum)).Symbol));
                return;
            case ArraySchema arraySchema:
            {
                var list = datum as IList ?? throw Mismatch(schema, datum);
                if (list.Count > 0)
                {
                    encoder.WriteArrayBlock(list.Count);
                    foreach (var item in list)
                    {
                        Write(encoder, arraySchema.ItemSchema, item);
                    }
                }
                encoder.WriteArrayEnd();
                return;
            }
            case MapSchema mapSchema:
            {
                var map = datum as IDictionary ?? throw Mismatch(schema, datum);
                if (map.Count > 0)
                {
                    encoder.WriteMapBlock(map.Count);
                    foreach (DictionaryEntry entry in map)
                    {
                        encoder.WriteString((string)entry.Key);
                        Write(encoder, mapSchema.ValueSchema, entry.Value);
                    }
                }
                encoder.WriteMapEnd();
                return;
            }
            case RecordSchema recordSchema:
            {
                var record = datum as AvroRecord ?? throw Mismatch(schema, datum);
                foreach (var field in recordSchema.Fields)
                {
                    Write(encoder, field.Schema, record[field.Name]);
                }
                return;
            }
            case UnionSchema union:
            {
                var branch = Branch(union, datum);
                encoder.WriteUnionIndex(branch);
                Write(encoder, union[branch], datum);
                return;
            }
            default:
                throw Mismatch(schema, datum);
        }
    }

    /// <summary>The union branch a value belongs to: by its .NET type (and a record's or enum's name).</summary>
    private static int Branch(UnionSchema union, object? datum)
    {
        for (var i = 0; i < union.Count; i++)
        {
            var fits = (AvroSchemas.Encoded(union[i]), datum) switch
            {
                ({ Tag: Schema.Type.Null }, null) => true,
                ({ Tag: Schema.Type.Boolean }, bool) => true,
                ({ Tag: Schema.Type.Int }, int) => true,
                ({ Tag: Schema.Type.Long }, long) => true,
                ({ Tag: Schema.Type.Float }, float) => true,
                ({ Tag: Schema.Type.Double }, double) => true,
                ({ Tag: Schema.Type.String }, string) => true,
                ({ Tag: Schema.Type.Bytes }, byte[]) => true,
                (FixedSchema f, byte[] bytes) => bytes.Length == f.Size,
                (EnumSchema e, AvroEnum value) => e.Contains(value.Symbol),
                (RecordSchema r, AvroRecord value) => r.Fullname == value.Schema.Fullname,
                (ArraySchema, IList and not byte[]) => true,
                (MapSchema, IDictionary) => true,
                _ => false,
            };
            if (fits)
            {
                return i;
            }
        }
        // An int may go in a long branch when there is no int branch.
        return datum is int && union.Schemas.Any(b => AvroSchemas.Encoded(b).Tag == Schema.Type.Long)
            ? union.Schemas.ToList().FindIndex(b => AvroSchemas.Encoded(b).Tag == Schema.Type.Long)
            : throw Mismatch(union, datum);
    }

    private static void Check(bool ok, Schema schema, object? datum)
    {
        if (!ok)
        {
            throw Mismatch(schema, datum);
        }
    }

    private static InvalidOperationException Mismatch(Schema schema, object? datum) =>
        new($"expected {schema.Fullname}, got {datum?.GetType().Name ?? "null"}");
}
