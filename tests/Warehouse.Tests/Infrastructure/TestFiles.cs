using Warehouse.Core.Conversion;

namespace Warehouse.Tests.Infrastructure;

/// <summary>Small input files written by the tests themselves.</summary>
public static class TestFiles
{
    /// <summary>Writes an http-log Avro file through the real converter and returns its path.</summary>
    public static string HttpLogAvro(string folder, string name, params string[] lines)
    {
        var path = Path.Combine(folder, name);
        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
        using var output = File.Create(path);
        RawConverter.Convert("http-log", input, "http_log.txt", output);
        return path;
    }
}
