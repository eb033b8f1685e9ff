namespace Warehouse.Core.Load;

/// <summary>What loading one file did: rows added to a staging table, or nothing because it was loaded before.</summary>
public sealed record LoadResult(string FileName, string Source, long Rows, bool AlreadyLoaded, TimeSpan Elapsed)
{
    /// <summary>Mapping lines that repeat a pair of the same file: dropped, since the staging table keeps each pair once.</summary>
    public long DuplicateLines { get; init; }
}
