using System.Buffers;
using System.Text;

namespace Warehouse.Core.Conversion;

/// <summary>
/// Remembers the families of agents already seen in one file: a log repeats a few hundred agents over millions of
/// lines. Bounded, so a file of unique agents cannot grow it without limit.
/// </summary>
internal sealed class UserAgentCache
{
    private const int MaxEntries = 10_000;
    private readonly Dictionary<string, UserAgentFamily> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UserAgentFamily>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public UserAgentCache() => _bySpan = _families.GetAlternateLookup<ReadOnlySpan<char>>();

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
            Remember(userAgent, family);
        }
        return (family.Browser, family.Os, family.Device);
    }

    /// <summary>The families of an agent given as UTF-8 bytes; a string is made only for an agent not seen before.</summary>
    public UserAgentFamily Classify(ReadOnlySpan<byte> utf8)
    {
        char[]? rented = null;
        var chars = utf8.Length <= 1024 ? stackalloc char[1024] : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        try
        {
            var text = chars[..Encoding.UTF8.GetChars(utf8, chars)];
            if (!_bySpan.TryGetValue(text, out var family))
            {
                var userAgent = new string(text);
                family = UserAgentFamilies.Classify(userAgent);
                Remember(userAgent, family);
            }
            return family;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private void Remember(string userAgent, UserAgentFamily family)
    {
        if (_families.Count < MaxEntries)
        {
            _families[userAgent] = family;
        }
    }
}
