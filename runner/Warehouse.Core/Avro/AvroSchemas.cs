using Avro;

namespace Warehouse.Core.Avro;

/// <summary>Schema JSON parsed and validated by Apache.Avro; any problem is one <see cref="WarehouseException"/>.</summary>
public static class AvroSchemas
{
    public static Schema Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return Schema.Parse(json);
        }
        catch (Exception e) when (e is AvroException or Newtonsoft.Json.JsonException or ArgumentException or InvalidOperationException
                                      or FormatException or NullReferenceException or InvalidCastException or KeyNotFoundException)
        {
            throw new WarehouseException($"invalid Avro schema: {e.Message}", e);
        }
    }
}
