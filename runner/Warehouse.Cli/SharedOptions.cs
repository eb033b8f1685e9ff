using System.CommandLine;
using Warehouse.Core.Pipeline;
using Warehouse.Core.Refresh;

namespace Warehouse.Cli;

/// <summary>Options that more than one command takes, declared once so their names, help and checks agree.</summary>
internal static class SharedOptions
{
    /// <summary><c>--session-gap SOURCE=SECONDS</c> (refresh, run, replay).</summary>
    public static readonly Option<string[]> SessionGap = new("--session-gap")
    {
        Description = "Session threshold for a source, e.g. http_log=300 (repeatable); a changed value rebuilds that source",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary><c>--jobs N</c> (refresh, run, bench).</summary>
    public static readonly Option<int> Jobs = InRange(new Option<int>("--jobs")
    {
        Description = $"Connections a full refresh builds buckets of users on at once, 1 to {RefreshOptions.MaxJobs} (default: the machine's cores; 1 builds them one after another)",
        DefaultValueFactory = _ => RefreshOptions.DefaultJobs,
    }, 1, RefreshOptions.MaxJobs);

    /// <summary><c>--max-reject-rate</c> (run, convert): a percentage (<c>10%</c>) or a fraction (<c>0.1</c>) from 0 to 1.</summary>
    public static readonly Option<double> MaxRejectRate = new("--max-reject-rate")
    {
        Description = $"Largest share of a raw file's lines that may be rejected, as 10% or 0.1; a file over it is not loaded " +
            $"and the run exits 3 (default: {RejectLimit.Percent(RejectLimit.DefaultRate)})",
        DefaultValueFactory = _ => RejectLimit.DefaultRate,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value.Trim() : "";
            var percent = text.EndsWith('%');
            if (double.TryParse(percent ? text[..^1] : text, System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out var value)
                && (percent ? value / 100 : value) is var rate and >= 0 and <= 1)
            {
                return rate;
            }
            result.AddError($"--max-reject-rate must be a percentage from 0% to 100% or a fraction from 0 to 1, got '{text}'");
            return 0;
        },
    };

    /// <summary>A value outside [min, max] is a wrong command line (exit 2), like a word where a number belongs.</summary>
    public static Option<int> InRange(Option<int> option, int min, int max)
    {
        option.Validators.Add(result =>
        {
            // a value that is not a number is reported by the parser itself; the default is always in range
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, out var value) && (value < min || value > max))
            {
                result.AddError($"{option.Name} must be between {min} and {max}, got {value}");
            }
        });
        return option;
    }

    /// <summary>The <c>--jobs</c> value (checked by the parser).</summary>
    public static int JobsOf(ParseResult result) => result.GetValue(Jobs);

    /// <summary>The <c>--session-gap</c> values as (source, seconds).</summary>
    public static IReadOnlyList<(string, int)> Gaps(ParseResult result) =>
        (result.GetValue(SessionGap) ?? []).Select(SessionGaps.Parse).ToList();
}
