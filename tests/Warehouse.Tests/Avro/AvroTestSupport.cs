using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Warehouse.Core.Avro;
using Xunit;

namespace Warehouse.Tests.Avro;

/// <summary>Paths, file helpers and external Apache tools shared by the Avro tests.</summary>
internal static class AvroTestSupport
{
    public const string DataDir = "/work/shared/data/avro";
    public const string Python = "/usr/bin/python3";
    public const string InstallHint = "install python3-avro python3-snappy avro-bin (apt-get install -y python3-avro python3-snappy avro-bin)";

    public static string DataFile(string name) => Path.Combine(DataDir, name);

    public static List<object?> ReadAll(string path)
    {
        using var reader = new AvroContainerReader(File.OpenRead(path));
        return reader.ReadRecords().ToList();
    }

    public static List<object?> ReadAll(byte[] file)
    {
        using var reader = new AvroContainerReader(new MemoryStream(file), "test.avro");
        return reader.ReadRecords().ToList();
    }

    public static byte[] Write(string schemaJson, AvroCodec codec, IEnumerable<object?> records,
                               IReadOnlyDictionary<string, string>? metadata = null)
    {
        var output = new MemoryStream();
        using (var writer = new AvroContainerWriter(output, schemaJson, codec, metadata, leaveOpen: true))
        {
            foreach (var record in records)
            {
                GenericEncoder.Write(writer.Encoder, writer.Schema, record);
                writer.EndRecord();
            }
        }
        return output.ToArray();
    }

    public static List<string> JsonLines(IEnumerable<object?> records, global::Avro.Schema schema) =>
        records.Select(r => AvroJson.ToJson(r, schema)).ToList();

    /// <summary>Asserts two lists of JSON lines are equal value by value (key order and number spelling aside).</summary>
    public static void AssertJsonLinesEqual(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: expected {expected.Count} records, got {actual.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            var e = JsonNode.Parse(expected[i]);
            var a = JsonNode.Parse(actual[i]);
            Assert.True(JsonNode.DeepEquals(e, a), $"{what}: record {i + 1} differs\nexpected: {expected[i]}\nactual:   {actual[i]}");
        }
    }

    public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? stdin = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within 2 minutes");
        }
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs an inline Python script with Apache's avro module; fails (not skips) when it is missing.</summary>
    public static ProcessResult RunPython(string script, params string[] arguments)
    {
        RequirePythonAvro();
        var result = Run(Python, new[] { "-c", script }.Concat(arguments));
        Assert.True(result.ExitCode == 0, $"python failed (exit {result.ExitCode}):\n{result.StdErr}");
        return result;
    }

    public static void RequirePythonAvro()
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: {InstallHint}");
        var probe = Run(Python, ["-c", "import avro.datafile, avro.io, snappy"]);
        Assert.True(probe.ExitCode == 0, $"{Python} cannot import avro and snappy ({probe.StdErr.Trim()}): {InstallHint}");
    }

    public static string RequireAvrocat()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, "avrocat");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        Assert.Fail($"avrocat is missing: {InstallHint}");
        return "";
    }

    /// <summary>Python helper that prints each record of an Avro file as natural JSON (the same shape as AvroJson).</summary>
    public const string PythonNaturalJson = """
        import datetime, json, sys
        EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        def natural(x):
            if isinstance(x, bytes):
                return x.decode('latin-1')
            if isinstance(x, datetime.datetime):
                return (x - EPOCH) // datetime.timedelta(microseconds=1)
            if isinstance(x, datetime.date):
                return (x - datetime.date(1970, 1, 1)).days
            if isinstance(x, dict):
                return {k: natural(v) for k, v in x.items()}
            if isinstance(x, list):
                return [natural(v) for v in x]
            return x
        def dump(record):
            return json.dumps(natural(record), ensure_ascii=False, separators=(',', ':'))
        """;

    /// <summary>A read-only stream that cannot seek and returns short reads, like a pipe.</summary>
    public sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7 + (count / 3)));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
