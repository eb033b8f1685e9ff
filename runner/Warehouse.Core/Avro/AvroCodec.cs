namespace Warehouse.Core.Avro;

/// <summary>Block compression of an Avro object container file. Wire names: "null", "deflate", "snappy".</summary>
public enum AvroCodec
{
    Null,
    Deflate,
    Snappy,
}

internal static class AvroCodecNames
{
    public static string ToWireName(AvroCodec codec) => codec switch
    {
        AvroCodec.Null => "null",
        AvroCodec.Deflate => "deflate",
        AvroCodec.Snappy => "snappy",
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "unknown Avro codec"),
    };

    /// <summary>Maps the avro.codec metadata value; a missing value means "null" (the spec's default).</summary>
    public static AvroCodec FromWireName(string? name) => name switch
    {
        null or "null" => AvroCodec.Null,
        "deflate" => AvroCodec.Deflate,
        "snappy" => AvroCodec.Snappy,
        "zstandard" or "zstd" => throw new WarehouseException(
            $"codec zstd is not supported (avro.codec is \"{name}\"); supported codecs: null, deflate, snappy"),
        _ => throw new WarehouseException(
            $"codec {name} is not supported (avro.codec is \"{name}\"); supported codecs: null, deflate, snappy"),
    };
}
