using System.Text.Json;
using Xunit;

namespace Warehouse.Tests.Avro;

/// <summary>`warehouse avro cat|schema`, run as the real executable.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class AvroCommandTests
{
    private static AvroTestSupport.ProcessResult Warehouse(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "warehouse.dll");
        return AvroTestSupport.Run("dotnet", new[] { dll }.Concat(args));
    }

    [Fact]
    public void AvroCat_PrintsOneNaturalJsonLinePerRecord()
    {
        var result = Warehouse("avro", "cat", AvroTestSupport.DataFile("withUnion-data.avro"));

        Assert.Equal("", result.StdErr);
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(AvroTestSupport.ReadAll(AvroTestSupport.DataFile("withUnion-data.avro")).Count, lines.Length);
        // Unions print as their plain value, not Avro's {"type": value} wrapper.
        Assert.Equal("""{"data1":"textValue","data2":null}""", lines[0]);
        Assert.Equal("""{"data1":123,"data2":{"d1":false}}""", lines[1]);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
        }
    }

    [Fact]
    public void AvroSchema_PrintsTheSchemaFromTheHeader()
    {
        var result = Warehouse("avro", "schema", AvroTestSupport.DataFile("weather.avro"));

        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.StdOut);
        Assert.Equal("Weather", doc.RootElement.GetProperty("name").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("fields").GetArrayLength());
    }

    [Fact]
    public void AvroCat_WhenFileIsCorrupt_PrintsOneErrorLineAndExitsOne()
    {
        var result = Warehouse("avro", "cat", AvroTestSupport.DataFile("avro-1238-truncated.avro"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: avro-1238-truncated.avro: unexpected end of file inside block 1 (expected 7 more bytes)\n", result.StdErr);
    }
}
