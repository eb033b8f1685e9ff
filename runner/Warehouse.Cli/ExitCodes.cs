namespace Warehouse.Cli;

/// <summary>Process exit codes, named so scripts and tests can rely on them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command could not do its job (bad input, unreachable database, failed script).</summary>
    public const int Failed = 1;
    /// <summary>The command line itself was wrong.</summary>
    public const int Usage = 2;
    /// <summary>A check ran and found a difference (validate, verify, lint, check).</summary>
    public const int CheckFailed = 3;
    /// <summary>Interrupted by Ctrl-C.</summary>
    public const int Interrupted = 130;
}
