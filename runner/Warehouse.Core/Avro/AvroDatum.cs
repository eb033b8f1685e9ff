using Avro;

namespace Warehouse.Core.Avro;

/// <summary>A generic record value as our reader returns it: the record schema plus one value per field, in schema order.</summary>
public sealed class AvroRecord
{
    private readonly object?[] _values;

    public AvroRecord(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        _values = new object?[schema.Count];
    }

    public RecordSchema Schema { get; }

    public int Count => _values.Length;

    public IEnumerable<string> FieldNames => Schema.Fields.Select(f => f.Name);

    public object? this[int position]
    {
        get => _values[position];
        set => _values[position] = value;
    }

    public object? this[string fieldName]
    {
        get => _values[Position(fieldName)];
        set => _values[Position(fieldName)] = value;
    }

    private int Position(string fieldName) => Schema.TryGetField(fieldName, out var field)
        ? field.Pos
        : throw new KeyNotFoundException($"record {Schema.Fullname} has no field \"{fieldName}\"");

    public override string ToString() => AvroJson.ToJson(this, Schema);
}

/// <summary>A generic enum value: its symbol.</summary>
public sealed record AvroEnum(string Symbol)
{
    public override string ToString() => Symbol;
}
