using System.CommandLine;
using Warehouse.Core.Load;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse load FILE...</c>: Avro files and the campaign/reward mapping into staging.</summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Avro files (*.avro) and/or campaign_reward_mapping*.csv", Arity = ArgumentArity.OneOrMore };
        var command = new Command("load", "Load Avro files and the campaign/reward mapping into the staging tables (each file once)") { files };
        command.SetAction(async (result, ct) =>
        {
            var loader = new StagingLoader(GlobalOptions.ConnectionString(result));
            foreach (var file in result.GetValue(files)!)
            {
                if (!File.Exists(file))
                {
                    throw new Warehouse.Core.WarehouseException($"file not found: {file}");
                }
                var loaded = file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                    ? await loader.LoadMappingAsync(file, ct)
                    : await loader.LoadAvroAsync(file, ct);
                Console.WriteLine(Describe(loaded));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static string Describe(LoadResult loaded) => loaded.AlreadyLoaded
        ? $"{loaded.FileName}: already loaded (same content), nothing to do"
        : $"{loaded.FileName}: {loaded.Rows:N0} rows into {loaded.Source} in {loaded.Elapsed.TotalSeconds:F1} s";
}
