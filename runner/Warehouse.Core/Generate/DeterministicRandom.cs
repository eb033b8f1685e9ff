namespace Warehouse.Core.Generate;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Our own generator rather than <see cref="Random"/>, whose algorithm is not
/// promised to stay the same between .NET versions: the same seed must give the same bytes forever.
/// </summary>
internal sealed class DeterministicRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public DeterministicRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>A generator for one purpose (a file, the mapping) so that choosing other files never changes this one.</summary>
    public static DeterministicRandom For(ulong seed, string purpose)
    {
        var h = 14695981039346656037UL;
        foreach (var c in purpose)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        return new DeterministicRandom(Mix(seed ^ h));
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, n) by Lemire's multiply-shift; the bias for n far below 2^32 is negligible here.</summary>
    public int Next(int n) => (int)(((NextUInt64() >> 32) * (ulong)n) >> 32);

    /// <summary>Uniform in [min, max] inclusive.</summary>
    public long Between(long min, long max) => min + (long)(((UInt128)NextUInt64() * (ulong)(max - min + 1)) >> 64);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>SplitMix64's finaliser: a bijection on 64 bits, so distinct inputs stay distinct.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A bijection on the low <paramref name="bits"/> bits (xor with a key, odd multiplications and right xor-shifts are
    /// each invertible modulo 2^bits): turns user numbers 0, 1, 2... into distinct ids that do not look sequential.
    /// </summary>
    public static ulong Scramble(ulong x, int bits, ulong key)
    {
        var mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        x = (x ^ key) & mask;
        x = (x * 0x9E3779B97F4A7C15UL) & mask;
        x ^= x >> (bits / 2);
        x = (x * 0xBF58476D1CE4E5B9UL) & mask;
        x ^= x >> (bits / 3);
        return x;
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }
}
