using System.CommandLine;
using Warehouse.Core;
using Warehouse.Core.Marts;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse export MART [--format csv|json|avro] [-o FILE] [--from T --to T] [--source S]</c>.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var mart = new Argument<string>("mart") { Description = $"One of {string.Join(", ", MartCatalog.Names)}" };
        mart.AcceptOnlyFromAmong([.. MartCatalog.Names]);
        var format = new Option<string>("--format") { Description = "csv, json or avro", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json", "avro");
        var output = new Option<string?>("--output", "-o") { Description = "Output file (default: standard output; required for avro)" };
        var from = new Option<string?>("--from") { Description = "campaign_performance: sessions starting at or after this UTC instant" };
        var to = new Option<string?>("--to") { Description = "campaign_performance: sessions starting before this UTC instant" };
        var source = new Option<string?>("--source") { Description = "sessions_by_key / daily_sessions: one source only (default: all)" };
        var command = new Command("export", "Write a mart as CSV, JSON or Avro") { mart, format, output, from, to, source };
        command.SetAction(async (result, ct) =>
        {
            var name = result.GetValue(mart)!;
            var fromAt = result.GetValue(from) is { } f ? MartExporter.ParseInstant(f, "--from") : (DateTime?)null;
            var toAt = result.GetValue(to) is { } t ? MartExporter.ParseInstant(t, "--to") : (DateTime?)null;
            var sourceName = result.GetValue(source) is { } s ? Warehouse.Core.Load.Sources.ByName(s).Name : null;
            var fileFormat = result.GetValue(format)!;
            var path = result.GetValue(output);
            if (fileFormat == "avro" && path is null)
            {
                throw new WarehouseException("--format avro needs -o FILE (Avro is binary)");
            }
            var table = await new MartReader(GlobalOptions.ConnectionString(result)).ReadAsync(name, fromAt, toAt, sourceName, ct);

            // Write to a temporary file and move it into place, so a failure never leaves half a file.
            var temporary = path is null ? null : path + ".partial";
            await using (var stream = temporary is null ? Console.OpenStandardOutput() : File.Create(temporary))
            {
                switch (fileFormat)
                {
                    case "csv":
                        await using (var writer = new StreamWriter(stream, MartExporter.Utf8, leaveOpen: true))
                        {
                            MartExporter.WriteCsv(table, writer);
                        }
                        break;
                    case "json":
                        MartExporter.WriteJson(table, stream);
                        break;
                    default:
                        MartExporter.WriteAvro(table, ReportSchemas.For(name), stream);
                        break;
                }
            }
            if (temporary is not null)
            {
                File.Move(temporary, path!, overwrite: true);
                Console.Error.WriteLine($"wrote {table.Rows.Count} rows of {name} to {path}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
