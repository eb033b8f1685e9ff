using System.Globalization;
using System.Text;
using System.Text.Json;
using Avro;
using Avro.File;
using Avro.Generic;
using Warehouse.Core.Avro;

namespace Warehouse.Core.Marts;

/// <summary>Writes a mart as CSV (the verify fixture format), JSON or Avro (with a report schema from models/reports/).</summary>
public static class MartExporter
{
    public static void WriteCsv(MartTable table, TextWriter output)
    {
        output.WriteLine(CsvText.Line(table.Columns));
        foreach (var row in table.Rows)
        {
            output.WriteLine(CsvText.Line(row.Select(MartValues.Format)));
        }
    }

    /// <summary>JSON: an array of row objects; sessions_by_key takes the seed layout (see <see cref="SessionsByKeyJson"/>).</summary>
    public static void WriteJson(MartTable table, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        if (table.Name == "sessions_by_key")
        {
            SessionsByKeyJson(table, json);
        }
        else if (table.Name == "order_metrics" && table.Rows.Count == 1)
        {
            WriteObject(json, table.Columns, table.Rows[0]); // one row: the object itself, as GET /metrics/order returns it
        }
        else
        {
            json.WriteStartArray();
            foreach (var row in table.Rows)
            {
                WriteObject(json, table.Columns, row);
            }
            json.WriteEndArray();
        }
    }

    /// <summary>
    /// <c>{"browser_family": {"Chrome": 42, ...}, "os_family": {...}, "device_family": {...}}</c>: one object per key,
    /// values summed over the sources present (filter with --source for one source), largest first.
    /// </summary>
    private static void SessionsByKeyJson(MartTable table, Utf8JsonWriter json)
    {
        var key = table.Columns.ToList().IndexOf("group_key");
        var value = table.Columns.ToList().IndexOf("group_value");
        var sessions = table.Columns.ToList().IndexOf("sessions");
        json.WriteStartObject();
        foreach (var group in table.Rows.GroupBy(r => (string)r[key]!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject(group.Key);
            var totals = group.GroupBy(r => (string?)r[value] ?? "Other")
                .Select(g => (Value: g.Key, Sessions: g.Sum(r => Convert.ToInt64(r[sessions], CultureInfo.InvariantCulture))))
                .OrderByDescending(t => t.Sessions).ThenBy(t => t.Value, StringComparer.Ordinal);
            foreach (var (name, count) in totals)
            {
                json.WriteNumber(name, count);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteObject(Utf8JsonWriter json, IReadOnlyList<string> columns, object?[] row)
    {
        json.WriteStartObject();
        for (var i = 0; i < columns.Count; i++)
        {
            json.WritePropertyName(columns[i]);
            switch (row[i])
            {
                case null:
                    json.WriteNullValue();
                    break;
                case bool b:
                    json.WriteBooleanValue(b);
                    break;
                case long or int or short:
                    json.WriteNumberValue(Convert.ToInt64(row[i], CultureInfo.InvariantCulture));
                    break;
                case decimal d:
                    json.WriteNumberValue(d);
                    break;
                case double d:
                    json.WriteNumberValue(d);
                    break;
                case Array array:
                    json.WriteStartArray();
                    foreach (var item in array)
                    {
                        json.WriteStringValue(item?.ToString());
                    }
                    json.WriteEndArray();
                    break;
                default:
                    json.WriteStringValue(MartValues.Format(row[i]));
                    break;
            }
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// Avro with the mart's hand-written report schema (field names and order must match the mart's columns), written by
    /// Apache.Avro's generic writer: timestamps and dates go in as DateTime, which it converts to their logical types.
    /// </summary>
    public static void WriteAvro(MartTable table, string schemaJson, Stream output)
    {
        ArgumentNullException.ThrowIfNull(table);
        var schema = AvroSchemas.Parse(schemaJson) as RecordSchema
            ?? throw new WarehouseException($"the report schema of {table.Name} is not a record");
        var names = schema.Fields.Select(f => f.Name).ToList();
        if (!names.SequenceEqual(table.Columns))
        {
            throw new WarehouseException($"the report schema of {table.Name} has fields [{string.Join(", ", names)}] but the mart has [{string.Join(", ", table.Columns)}]");
        }
        using var writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(schema), output,
            AvroCodecs.For(AvroCodec.Deflate), leaveOpen: true);
        foreach (var row in table.Rows)
        {
            var record = new GenericRecord(schema);
            foreach (var field in schema.Fields)
            {
                record.Add(field.Pos, ToAvro(row[field.Pos], field.Schema));
            }
            writer.Append(record);
        }
    }

    private static object? ToAvro(object? value, Schema schema)
    {
        if (value is null)
        {
            return null;
        }
        var target = schema is UnionSchema union ? union.Schemas.First(b => b.Tag != Schema.Type.Null) : schema;
        return (value, AvroSchemas.Encoded(target).Tag, AvroSchemas.LogicalTypeName(target)) switch
        {
            (DateTime dt, Schema.Type.Long, "timestamp-micros") => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
            (DateOnly d, Schema.Type.Int, "date") => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            (Array a, Schema.Type.Array, _) => a.Cast<object?>().Select(e => e?.ToString()).ToArray(),
            (decimal d, Schema.Type.Double, _) => (double)d,
            (_, Schema.Type.Long, _) => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            (_, Schema.Type.Int, _) => Convert.ToInt32(value, CultureInfo.InvariantCulture),
            (_, Schema.Type.Double, _) => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            (_, Schema.Type.String, _) => value.ToString(),
            _ => value,
        };
    }

    /// <summary>Parses a --from/--to instant: ISO-8601 with an offset or Z, or a plain date/time taken as UTC.</summary>
    public static DateTime ParseInstant(string text, string option)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.UtcDateTime;
        }
        throw new WarehouseException($"{option} expects an ISO-8601 timestamp such as 2019-08-27T00:00:00Z, got '{text}'");
    }

    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
}
