namespace Warehouse.Core.Avro;

/// <summary>A generic record value: the record schema plus one value per field, in schema order.</summary>
public sealed class AvroRecord
{
    private readonly object?[] _values;

    public AvroRecord(AvroSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Type != AvroType.Record)
        {
            throw new ArgumentException($"AvroRecord needs a record schema, not {schema.FullName}", nameof(schema));
        }
        Schema = schema;
        _values = new object?[schema.Fields.Count];
    }

    public AvroSchema Schema { get; }

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

    private int Position(string fieldName)
    {
        var position = Schema.GetFieldPosition(fieldName);
        if (position < 0)
        {
            throw new KeyNotFoundException($"record {Schema.FullName} has no field \"{fieldName}\"");
        }
        return position;
    }

    public override string ToString() => AvroJson.ToJson(this, Schema);
}

/// <summary>A generic enum value: its symbol.</summary>
public sealed record AvroEnum(string Symbol)
{
    public override string ToString() => Symbol;
}
