using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Conversion;

/// <summary>The real raw files under the shared data folder (read in place, never copied into the repo).</summary>
internal static class SharedDataFiles
{
    private static readonly string Root = new[] { TestDatabase.SharedData, "/work/shared/data" }.FirstOrDefault(Directory.Exists)
        ?? TestDatabase.SharedData;

    public static string PerxHttpLog => Path.Combine(Root, "perx", "http_log.txt");
    public static string ApacheAccessLog => Path.Combine(Root, "apache", "access.log");
}
