using Warehouse.Core.Marts;

namespace Warehouse.Core.Pipeline;

/// <summary>What one converted file produced.</summary>
public sealed record ConvertedFile(string SourceFile, string Format, string AvroPath, long Lines, long Records, long Rejected, long Blank,
    string? RejectsPath, bool Reused);

/// <summary>Everything the run's closing summary prints.</summary>
public sealed class RunSummary
{
    public List<(string Stage, TimeSpan Elapsed)> Stages { get; } = [];
    public List<string> Skipped { get; } = [];
    public List<ConvertedFile> Converted { get; } = [];
    public List<Load.LoadResult> Loaded { get; } = [];
    public Dictionary<string, long> StagingRows { get; } = [];
    public Dictionary<string, long> Sessions { get; } = [];
    public Dictionary<string, long> MartRows { get; } = [];
    public IReadOnlyList<MartComparison>? Verification { get; set; }
}
