using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Load;

namespace Warehouse.Core.Pipeline;

/// <summary>
/// Checks the header of every local input before anything is loaded: a raw format's header line (the clickstream CSV's columns), the mapping's
/// <c>campaign_id,reward_id</c> line and the Avro container header (a known record). A run reports every problem at once,
/// one line each in the style of <see cref="Problem"/>, instead of failing on the first file mid-way. Remote objects are
/// checked as they are read (reading them twice would download them twice).
/// </summary>
public static class InputHeaders
{
    /// <summary>The one style of a header problem: <c>FILE:1: expected header '...', found '...'</c>.</summary>
    public static string Problem(string file, string expected, string found) =>
        $"{file}:1: expected header '{expected}', found '{(found.Length <= 80 ? found : found[..77] + "...")}'";

    public static string ExpectedAvro => "an Avro container of " + string.Join(" or ", Sources.All.Select(s => s.AvroRecordName));

    /// <summary>One problem line per local input whose header is wrong; empty when all are right.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<InputFile> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var problems = new List<string>();
        foreach (var input in inputs.Where(i => !i.IsRemote))
        {
            if (Check(input) is { } problem)
            {
                problems.Add(problem);
            }
        }
        return problems;
    }

    private static string? Check(InputFile input)
    {
        try
        {
            return input switch
            {
                { Kind: InputKind.Raw } => CheckRawHeader(input),
                { Kind: InputKind.Mapping } => StagingLoader.MappingHeaderProblem(input.Name, FirstLine(input)),
                { Kind: InputKind.Avro } => CheckAvro(input),
                _ => null,
            };
        }
        catch (InvalidDataException e)
        {
            return $"{input.Name}: not a gzip file ({e.Message})";
        }
    }

    /// <summary>A raw format with a header line (the clickstream CSV) checks it as its converter will.</summary>
    private static string? CheckRawHeader(InputFile input)
    {
        var format = RawFormat.Create(input.Format!, input.Name);
        if (!format.HasHeader)
        {
            return null;
        }
        using var stream = input.OpenRead();
        var reader = new Utf8LineReader(stream);
        try
        {
            format.CheckHeader(reader.TryReadLine(out var header, out _) ? header : []);
            return null;
        }
        catch (WarehouseException e)
        {
            return e.Message;
        }
    }

    private static string? CheckAvro(InputFile input)
    {
        using var stream = input.OpenRead();
        try
        {
            using var reader = new AvroContainerReader(stream, input.Name);
            return Sources.ByAvroRecordName(reader.Schema.Fullname) is null
                ? Problem(input.Name, ExpectedAvro, $"record {reader.Schema.Fullname}")
                : null;
        }
        catch (WarehouseException e)
        {
            var reason = e.Message.StartsWith(input.Name + ": ", StringComparison.Ordinal) ? e.Message[(input.Name.Length + 2)..] : e.Message;
            return Problem(input.Name, ExpectedAvro, reason);
        }
    }

    private static string? FirstLine(InputFile input)
    {
        using var reader = new StreamReader(input.OpenRead());
        return reader.ReadLine();
    }
}
