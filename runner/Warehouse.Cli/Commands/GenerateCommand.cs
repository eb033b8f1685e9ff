using System.CommandLine;
using System.Globalization;
using Warehouse.Core.Generate;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse generate</c>: writes deterministic, realistic raw inputs of every source for tests and benchmarks.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var command = new Command("generate", "Write realistic raw inputs (HTTP log, mapping, webshop, device, clickstream; an access log when asked) and generated.json");
        var events = new Option<long>("--events", "-n") { Description = "HTTP-log (and access-log) events to write; the other sources get a tenth each", Required = true };
        var users = new Option<long?>("--users") { Description = "Distinct HTTP-log users (default: events / 7.5)" };
        var seed = new Option<ulong>("--seed")
        {
            Description = "Seed: the same arguments always give the same bytes",
            DefaultValueFactory = _ => GenerateOptions.DefaultSeed,
        };
        var sources = new Option<string>("--sources")
        {
            Description = $"Comma-separated sources to write, of {string.Join(", ", GenerateOptions.KnownSources)} (combined: an Apache access log, written only when named)",
            DefaultValueFactory = _ => string.Join(",", GenerateOptions.AllSources),
        };
        var output = new Option<string>("--output", "-o") { Description = "Folder to write into (created if missing)", Required = true };
        command.Options.Add(events);
        command.Options.Add(users);
        command.Options.Add(seed);
        command.Options.Add(sources);
        command.Options.Add(output);
        command.SetAction((result, ct) =>
        {
            var options = new GenerateOptions(
                result.GetValue(events),
                result.GetValue(users),
                result.GetValue(seed),
                [.. result.GetValue(sources)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                result.GetValue(output)!);
            var started = System.Diagnostics.Stopwatch.StartNew();
            foreach (var file in DataGenerator.Generate(options, ct))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{file.Name}: {file.Lines} lines, {file.Bytes} bytes"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{DataGenerator.ManifestName}: expected counts; {started.Elapsed.TotalSeconds:0.00} s in all"));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
