using System.Diagnostics;
using Warehouse.Core.Pipeline;

namespace Warehouse.Cli;

/// <summary>
/// Progress of long stages on stderr: a line rewritten in place on a terminal, a line every few seconds otherwise
/// (so CI logs stay short).
/// </summary>
internal sealed class ConsoleProgress : IRunProgress
{
    private static bool Interactive => !Console.IsErrorRedirected;

    public void Stage(string name)
    {
        if (Interactive)
        {
            Console.Error.Write($"\r\u001b[K{name}...");
        }
    }

    public IProgress<long> Bytes(string what, long total) => new ByteProgress(what, total, Interactive);

    public void Done(string what) => ClearLine();

    /// <summary>Clears a progress line left on the terminal, so an error that ends a stage starts a line of its own.</summary>
    public static void ClearLine()
    {
        if (Interactive)
        {
            Console.Error.Write("\r\u001b[K");
        }
    }

    private sealed class ByteProgress(string what, long total, bool interactive) : IProgress<long>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _last = TimeSpan.Zero;

        public void Report(long done)
        {
            var interval = interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5);
            if (_clock.Elapsed - _last < interval)
            {
                return;
            }
            _last = _clock.Elapsed;
            var percent = total > 0 ? Math.Min(100, done * 100 / total) : 0;
            var rate = done / 1e6 / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
            var text = $"{what}: {percent,3}% ({done / 1e6:F0} of {total / 1e6:F0} MB, {rate:F0} MB/s)";
            Console.Error.Write(interactive ? $"\r\u001b[K{text}" : text + Environment.NewLine);
        }
    }
}
