using Warehouse.Core.Pipeline;

namespace Warehouse.Tests.Pipeline;

public sealed class TemporaryFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("warehouse-temporary-file-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MoveTo_PutsTheFinishedFileInPlaceAndDisposeLeavesIt()
    {
        var final = Path.Combine(_folder, "out.avro");
        using (var temporary = new TemporaryFile(_folder, ".out.avro"))
        {
            Assert.Matches($@"^\.out\.avro\.{Environment.ProcessId}-[0-9a-f]{{32}}\.partial$", Path.GetFileName(temporary.Path));
            File.WriteAllText(temporary.Path, "done");
            temporary.MoveTo(final);
        }
        Assert.Equal(["out.avro"], Directory.GetFiles(_folder).Select(Path.GetFileName));
        Assert.Equal("done", File.ReadAllText(final));
    }

    [Fact]
    public void Dispose_WithoutMove_RemovesTheHalfWrittenFile()
    {
        using (var temporary = new TemporaryFile(_folder, "http_log", ".avro"))
        {
            File.WriteAllText(temporary.Path, "half");
        }
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void TwoWritesOfOneTarget_NeverShareAFile()
    {
        using var a = new TemporaryFile(_folder, "http_log", ".avro");
        using var b = new TemporaryFile(_folder, "http_log", ".avro");
        Assert.NotEqual(a.Path, b.Path);
    }
}
