using Warehouse.Core.Marts;

namespace Warehouse.Core.Pipeline;

/// <summary>What one converted file produced.</summary>
/// <param name="Input">Where the raw file came from: a local path, a URL or s3://bucket/key.</param>
/// <param name="RejectReasons">Rejected lines by normalised reason (see <see cref="RejectReasons"/>).</param>
public sealed record ConvertedFile(string SourceFile, string Format, string AvroPath, long Lines, long Records, long Rejected, long Blank,
    string? RejectsPath, bool Reused, string? Input = null, IReadOnlyDictionary<string, long>? RejectReasons = null)
{
    /// <summary>Hex SHA-256 of the raw content converted (a .gz file's inflated bytes): what the load is known by.</summary>
    public string? RawSha256 { get; init; }

    /// <summary>Hex SHA-256 of the file's bytes as on disk (differs from <see cref="RawSha256"/> for .gz): finds an earlier conversion.</summary>
    public string? FileSha256 { get; init; }

    /// <summary>For a file that grew since an earlier load: the last line that load took in (only lines after it were converted).</summary>
    public long? AfterLine { get; init; }

    /// <summary>Bytes and lines of a plain local raw file this load takes in (see LoadIdentity.RawExtent).</summary>
    public Load.RawExtent? RawExtent { get; init; }
}

/// <summary>An input the run did not read, and why (e.g. "not a recognised input name").</summary>
/// <param name="Input">The file name of a local input; the URL or s3://bucket/key of a remote one.</param>
public sealed record SkippedInput(string Input, string Reason);

/// <summary>Everything the run's closing summary prints.</summary>
public sealed class RunSummary
{
    public List<(string Stage, TimeSpan Elapsed)> Stages { get; } = [];
    public List<SkippedInput> Skipped { get; } = [];
    public List<ConvertedFile> Converted { get; } = [];
    /// <summary>Converted files that rejected more than <see cref="RunOptions.MaxRejectRate"/> of their lines: not loaded.</summary>
    public List<ConvertedFile> OverRejectLimit { get; } = [];
    public List<Load.LoadResult> Loaded { get; } = [];
    public Dictionary<string, long> StagingRows { get; } = [];
    public Dictionary<string, long> Sessions { get; } = [];
    public Dictionary<string, long> MartRows { get; } = [];
    /// <summary>How long counting the staging rows, sessions and marts took (alongside the profile).</summary>
    public TimeSpan CountElapsed { get; set; }
    /// <summary>How long the profile took (alongside the counts).</summary>
    public TimeSpan ProfileElapsed { get; set; }
    /// <summary>How long counting each mart took: the marts are views, so that is the time to compute them.</summary>
    public Dictionary<string, TimeSpan> MartElapsed { get; } = [];
    /// <summary>The refresh's own steps (sessionize, aggregate sessions, ...), inside the "refresh" stage.</summary>
    public IReadOnlyList<(string Step, TimeSpan Elapsed)> RefreshSteps { get; set; } = [];
    /// <summary>The refresh as a whole (its buckets and their steps).</summary>
    public Refresh.RefreshResult? Refresh { get; set; }
    public IReadOnlyList<MartComparison>? Verification { get; set; }
    /// <summary>The folder of expected mart CSVs the marts were verified against (null: not verified).</summary>
    public string? ExpectedDirectory { get; set; }
    /// <summary>Remote objects already in the load manifest: neither read nor converted again.</summary>
    public List<string> AlreadyLoadedRemote { get; } = [];
    /// <summary>The data profile of every source after the run (see <c>warehouse profile</c>).</summary>
    public IReadOnlyList<Profile.SourceProfile> Profile { get; set; } = [];
}
