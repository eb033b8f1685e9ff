using System.CommandLine;
using Warehouse.Core.Portability;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse lint [--migrations DIR]</c>: the portability lint over the scripts Redshift would run.</summary>
internal static class LintCommand
{
    public static Command Create()
    {
        var command = new Command("lint", "Check the migrations use only SQL that runs on both PostgreSQL and Redshift (exit 3 on a violation)");
        command.SetAction(result =>
        {
            var report = PortabilityLint.LintDirectory(GlobalOptions.MigrationsDirectory(result));
            foreach (var violation in report.Violations)
            {
                Console.WriteLine($"{violation.FileName}:{violation.Line}: {violation.RuleId}: {violation.Message}");
            }
            var skipped = report.SkippedFiles.Count == 0 ? "" : $" ({report.SkippedFiles.Count} dialect-specific file(s) skipped: " +
                string.Join(", ", report.SkippedFiles.Select(s => $"{s.FileName} {s.Reason}")) + ")";
            if (report.Violations.Count > 0)
            {
                Console.Error.WriteLine($"error: {report.Violations.Count} portability violation(s) in {report.CheckedFiles.Count} script(s){skipped}");
                return ExitCodes.CheckFailed;
            }
            Console.WriteLine($"portable: {report.CheckedFiles.Count} script(s) checked against {PortabilityLint.Rules.Count} rules, no violations{skipped}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
