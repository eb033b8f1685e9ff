using System.CommandLine;
using System.Text;
using Warehouse.Core.Avro;

namespace Warehouse.Cli.Commands;

/// <summary>
/// <c>warehouse avro cat FILE</c> prints the records as JSON lines; <c>warehouse avro schema FILE</c> prints the
/// schema. The JSON is "natural" (records as objects, a union as its plain value, bytes as a \u-escaped string);
/// see <see cref="AvroJson"/> for why we chose it over Avro's own JSON encoding.
/// </summary>
internal static class AvroCommand
{
    public static Command Create()
    {
        var command = new Command("avro", "Inspect Avro object container files");
        command.Subcommands.Add(CreateCat());
        command.Subcommands.Add(CreateSchema());
        return command;
    }

    private static Command CreateCat()
    {
        var file = new Argument<string>("file") { Description = "Avro object container file" };
        var limit = new Option<long?>("--limit", "-n") { Description = "Print at most this many records" };
        var command = new Command("cat", "Print the records of an Avro file as JSON lines (natural JSON: unions as plain values)");
        command.Arguments.Add(file);
        command.Options.Add(limit);
        command.SetAction(result =>
        {
            var max = result.GetValue(limit) ?? long.MaxValue;
            using var reader = Open(result.GetValue(file)!);
            using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024);
            var line = new StringBuilder();
            long printed = 0;
            foreach (var record in reader.ReadRecords())
            {
                if (printed++ >= max)
                {
                    break;
                }
                line.Clear();
                AvroJson.Append(line, record, reader.Schema);
                line.Append('\n');
                output.Write(line);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateSchema()
    {
        var file = new Argument<string>("file") { Description = "Avro object container file" };
        var command = new Command("schema", "Print the schema JSON stored in an Avro file's header");
        command.Arguments.Add(file);
        command.SetAction(result =>
        {
            using var reader = Open(result.GetValue(file)!);
            Console.Out.WriteLine(reader.SchemaJson);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static AvroContainerReader Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new Warehouse.Core.WarehouseException($"{path}: no such file");
        }
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return new AvroContainerReader(stream, Path.GetFileName(path));
    }
}
