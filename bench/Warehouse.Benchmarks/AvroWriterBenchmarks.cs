using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Warehouse.Core.Avro;

namespace Warehouse.Benchmarks;

/// <summary>
/// Encoding clickstream-shaped records through the fast path (AvroEncoder + EndRecord) into a container file per
/// codec. Run (about a minute): dotnet run -c Release --project bench/Warehouse.Benchmarks -- --filter "*"
/// Raw bytes per record are about what the CSV line holds, so records/s * RawBytesPerRecord ~ input MB/s.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class AvroWriterBenchmarks
{
    /// <summary>In-process and few iterations: the machine is shared, a run must stay around a minute.</summary>
    private sealed class ShortInProcessConfig : ManualConfig
    {
        public ShortInProcessConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5));
    }

    private const int Records = 100_000;

    private const string Schema = """
        {"type":"record","name":"ClickstreamEvent","namespace":"warehouse.raw","fields":[
          {"name":"user_id","type":"string"},
          {"name":"event_at","type":{"type":"long","logicalType":"timestamp-micros"}},
          {"name":"product_id","type":["null","string"],"default":null},
          {"name":"ip","type":["null","string"],"default":null},
          {"name":"user_agent","type":["null","string"],"default":null},
          {"name":"browser_family","type":["null","string"],"default":null},
          {"name":"os_family","type":["null","string"],"default":null},
          {"name":"device_family","type":["null","string"],"default":null},
          {"name":"source_file","type":"string"},
          {"name":"source_line","type":"long"}]}
        """;

    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 9; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.136 Mobile Safari/537.36",
    ];

    private readonly string[] _userIds = Enumerable.Range(0, 5000).Select(i => "u" + (i * 7919)).ToArray();
    private readonly string[] _products = Enumerable.Range(0, 977).Select(i => "P" + i).ToArray();
    private readonly string[] _ips = Enumerable.Range(0, 256).Select(i => $"10.{i}.{255 - i}.{i / 2}").ToArray();

    [Params(AvroCodec.Null, AvroCodec.Deflate, AvroCodec.Snappy)]
    public AvroCodec Codec { get; set; }

    [Benchmark]
    public long WriteClickstreamRecords()
    {
        using var writer = new AvroContainerWriter(Stream.Null, Schema, Codec);
        var e = writer.Encoder;
        for (var i = 0; i < Records; i++)
        {
            e.WriteString(_userIds[i % _userIds.Length]);
            e.WriteLong(1_554_767_994_000_000L + (i * 1_000_003L));
            e.WriteUnionIndex(1);
            e.WriteString(_products[i % _products.Length]);
            e.WriteUnionIndex(1);
            e.WriteString(_ips[i & 255]);
            e.WriteUnionIndex(1);
            e.WriteString(UserAgents[i % 3]);
            e.WriteUnionIndex(1);
            e.WriteString("Chrome");
            e.WriteUnionIndex(1);
            e.WriteString("Windows");
            e.WriteUnionIndex(0);
            e.WriteString("clickstream.csv");
            e.WriteLong(i + 2);
            writer.EndRecord();
        }
        return writer.RecordCount;
    }
}
