using System.CommandLine;
using Warehouse.Cli;
using Warehouse.Cli.Commands;

// Main only builds the command tree and runs it; each command is a small class over Warehouse.Core.
var root = new RootCommand("A SQL-first clickstream warehouse: raw web logs to Avro, PostgreSQL staging, sessions and marts.");
GlobalOptions.AddTo(root);
root.Subcommands.Add(DbCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(LoadCommand.Create());
root.Subcommands.Add(RefreshCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(AvroCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(ProfileCommand.Create());
root.Subcommands.Add(LintCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
return await CommandRunner.InvokeAsync(root, args);
