namespace Warehouse.Core.Conversion;

/// <summary>
/// Remembers the families of agents already seen in one file: a log repeats a few hundred agents over millions of
/// lines. Bounded, so a file of unique agents cannot grow it without limit.
/// </summary>
internal sealed class UserAgentCache
{
    private const int MaxEntries = 10_000;
    private readonly Dictionary<string, UserAgentFamily> _families = new(StringComparer.Ordinal);

    /// <summary>The families of <paramref name="userAgent"/>, or nulls when there is no agent at all.</summary>
    public (string? Browser, string? Os, string? Device) Classify(string? userAgent)
    {
        if (userAgent is null)
        {
            return (null, null, null);
        }
        if (!_families.TryGetValue(userAgent, out var family))
        {
            family = UserAgentFamilies.Classify(userAgent);
            if (_families.Count < MaxEntries)
            {
                _families[userAgent] = family;
            }
        }
        return (family.Browser, family.Os, family.Device);
    }
}
