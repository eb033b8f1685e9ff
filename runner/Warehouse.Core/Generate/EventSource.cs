using System.Text.Json;

namespace Warehouse.Core.Generate;

/// <summary>
/// The streaming engine every generated file shares. A pool of at most <see cref="PoolSize"/> users is active at a time;
/// each step picks a random active user and advances its clock by one event (a gap inside a session or between
/// sessions). Events gather in a chunk of <see cref="ChunkSize"/> which is shuffled and written, so a user's events are
/// interleaved with others' and out of time order, while memory stays the pool plus one chunk whatever the event count.
/// Because each user's events are produced in time order, the expected session count is computed on the way, from the
/// instants as written: the first event of a user and every gap of at least the threshold start a session.
/// </summary>
internal abstract class EventSource
{
    public const int PoolSize = 4096;
    public const int ChunkSize = 1 << 16;
    private const long MicrosPerSecond = 1_000_000;

    /// <summary>About one in two hundred and fifty lines is repeated exactly.</summary>
    private const double DuplicateRate = 0.004;
    /// <summary>Shares of gaps put exactly on the threshold and one second below it.</summary>
    private const double ExactThresholdRate = 0.05;
    private const double BelowThresholdRate = 0.03;
    private const double AgentChangeRate = 0.03;
    private const long UserEventCap = 50_000;

    private readonly long _thresholdMicros;
    private long _malformed;
    private long _duplicates;
    private long _noUser;
    private long _counted;
    private long _sessions;
    private long _users;
    private long _gapsAtThreshold;
    private long _gapsBelowThreshold;

    protected EventSource(string source, string fileName, long thresholdSeconds, DateTimeOffset windowStart, int windowDays)
    {
        Source = source;
        FileName = fileName;
        ThresholdSeconds = thresholdSeconds;
        _thresholdMicros = thresholdSeconds * MicrosPerSecond;
        WindowStartMicros = windowStart.ToUnixTimeSeconds() * MicrosPerSecond;
        WindowMicros = windowDays * 86_400L * MicrosPerSecond;
    }

    /// <summary>The format name the CLI uses (<c>http-log</c>, <c>webshop-events</c>...).</summary>
    public string Source { get; }

    public string FileName { get; }

    public long ThresholdSeconds { get; }

    protected long WindowStartMicros { get; }

    protected long WindowMicros { get; }

    /// <summary>Instants are multiples of this (1 for microsecond formats, 1000 for millisecond ones, a million for whole seconds).</summary>
    protected virtual long GranularityMicros => 1;

    /// <summary>About one line in ten thousand is malformed, unless a format writes none.</summary>
    protected virtual double MalformedRate => 0.0001;

    /// <summary>Events per session are 1 + geometric with this mean of extra events.</summary>
    protected abstract double ExtraEventsPerSession { get; }

    /// <summary>Gaps inside a session are drawn up to this many seconds (plus the exact threshold-minus-one share).</summary>
    protected abstract long LongestOrdinaryGapSeconds { get; }

    /// <summary>The number of user agents / devices events can take.</summary>
    protected abstract int AgentCount { get; }

    /// <summary>Bits of per-session state the count side needs (e.g. one per campaign); 0 when none.</summary>
    protected virtual int SessionMaskBits => 0;

    public FileCounts Write(Stream output, long events, long users, ulong seed, CancellationToken ct)
    {
        var rng = DeterministicRandom.For(seed, FileName);
        using var writer = new AsciiLineWriter(output);
        WriteHeader(writer);
        var pool = new UserCursor[(int)Math.Min(PoolSize, users)];
        long usersCreated = 0;
        long slotsAssigned = 0;
        for (var i = 0; i < pool.Length; i++)
        {
            pool[i] = new UserCursor { SessionMask = new ulong[(SessionMaskBits + 63) / 64] };
            StartUser(pool[i], rng, events, users, ref usersCreated, ref slotsAssigned);
        }
        var chunk = new SyntheticEvent[ChunkSize];
        var filled = 0;
        long serial = 100_000;
        var active = pool.Length;
        while (active > 0)
        {
            var slot = rng.Next(active);
            var user = pool[slot];
            NextEvent(user, ref chunk[filled++], rng, ref serial);
            if (user.SlotsLeft == 0)
            {
                if (user.HasCounted)
                {
                    _users++;
                }
                if (usersCreated < users)
                {
                    StartUser(user, rng, events, users, ref usersCreated, ref slotsAssigned);
                }
                else
                {
                    pool[slot] = pool[active - 1];
                    pool[active - 1] = user;
                    active--;
                }
            }
            if (filled == chunk.Length)
            {
                ct.ThrowIfCancellationRequested();
                WriteChunk(writer, chunk.AsSpan(0, filled), rng);
                filled = 0;
            }
        }
        WriteChunk(writer, chunk.AsSpan(0, filled), rng);
        writer.Flush();
        var counts = new FileCounts(FileName, writer.Lines, writer.BytesWritten, events, _malformed, _duplicates, _noUser,
            _users, _sessions, _gapsAtThreshold, _gapsBelowThreshold, ThresholdSeconds);
        return counts;
    }

    /// <summary>Source-specific expected figures for generated.json, next to the common ones.</summary>
    public virtual void WriteExpected(Utf8JsonWriter json)
    {
    }

    protected virtual void WriteHeader(AsciiLineWriter writer)
    {
    }

    /// <summary>Fills kind, target and variant; <paramref name="sessionStarts"/> is true for the first event of a planned session.</summary>
    protected abstract void Describe(ref SyntheticEvent e, UserCursor user, DeterministicRandom rng, bool sessionStarts);

    protected abstract void WriteEvent(AsciiLineWriter writer, in SyntheticEvent e);

    protected abstract void WriteMalformed(AsciiLineWriter writer, in SyntheticEvent e);

    /// <summary>The count side's per-source rule, called for every counted event in the user's time order.</summary>
    protected virtual void Observe(in SyntheticEvent e, UserCursor user, bool startsSession)
    {
    }

    /// <summary>Picks the zone (UTC offset style) of an event; formats without offsets ignore it.</summary>
    protected virtual byte PickZone(DeterministicRandom rng) => 0;

    protected virtual byte PickAgent(DeterministicRandom rng) => (byte)rng.Next(AgentCount);

    private void StartUser(UserCursor user, DeterministicRandom rng, long events, long users, ref long usersCreated,
        ref long slotsAssigned)
    {
        var usersLeft = users - usersCreated;
        var slotsLeft = events - slotsAssigned;
        var slots = usersLeft == 1 ? slotsLeft : Math.Clamp(HeavyTailed(rng, (double)slotsLeft / usersLeft), 1, slotsLeft - (usersLeft - 1));
        var start = WindowStartMicros + rng.Between(0, WindowMicros / MicrosPerSecond) * MicrosPerSecond + Fraction(rng, 0.2);
        user.Reset(usersCreated, slots, start, PickAgent(rng));
        // Heavy users (crawlers, power users) have longer sessions as well as more of them, and their breaks shrink so
        // that their history still spans about two windows rather than years.
        user.ExtraEventsPerSession = ExtraEventsPerSession * Math.Max(1.0, Math.Sqrt(slots / 100.0));
        var plannedSessions = Math.Max(1.0, slots / (1 + user.ExtraEventsPerSession));
        user.LongestBreakSeconds = (long)Math.Clamp(2 * (WindowMicros / MicrosPerSecond) / plannedSessions,
            ThresholdSeconds + 60, 3 * 86_400);
        usersCreated++;
        slotsAssigned += slots;
    }

    /// <summary>
    /// 1 + a Lomax (shifted Pareto) draw with shape 4/3 and the given mean: most users have one or two events, a few
    /// have thousands. u^(-3/4) is computed with square roots only, which IEEE 754 rounds exactly everywhere, so the
    /// draw is the same on every machine (Math.Pow is not promised to be).
    /// </summary>
    private static long HeavyTailed(DeterministicRandom rng, double mean)
    {
        var scale = Math.Max(0.0, (mean - 0.5) / 3.0);
        var u = 1.0 - rng.NextDouble();
        var root = Math.Sqrt(u);
        var draw = scale * (1.0 / (root * Math.Sqrt(root)) - 1.0);
        return 1 + (long)Math.Min(draw, UserEventCap);
    }

    /// <summary>A fraction of a second, sometimes: milliseconds or microseconds, matching the file's granularity.</summary>
    private long Fraction(DeterministicRandom rng, double probability)
    {
        if (!rng.Chance(probability) || GranularityMicros >= MicrosPerSecond)
        {
            return 0;
        }
        return GranularityMicros >= 1000 || rng.Chance(0.5) ? rng.Between(1, 999) * 1000 : rng.Between(1, 999_999);
    }

    private void NextEvent(UserCursor user, ref SyntheticEvent e, DeterministicRandom rng, ref long serial)
    {
        user.SlotsLeft--;
        if (user.HasPending)
        {
            user.HasPending = false;
            e = user.Pending;
            e.Flags |= EventFlags.Duplicate;
            Count(e, user);
            return;
        }
        var sessionStarts = false;
        if (!user.Started)
        {
            user.Started = true;
            sessionStarts = true;
        }
        else if (user.SessionEventsLeft == 0)
        {
            user.AtMicros += SessionGap(user, rng);
            sessionStarts = true;
        }
        else
        {
            user.AtMicros += GapInsideSession(rng);
        }
        if (sessionStarts)
        {
            user.SessionEventsLeft = 1 + Geometric(rng, user.ExtraEventsPerSession);
            user.RecentCount = 0;
        }
        user.SessionEventsLeft--;
        if (rng.Chance(AgentChangeRate))
        {
            // The family changes mid-session: another browser or device takes over from here on.
            user.Agent = PickAgent(rng);
        }
        e = default;
        e.AtMicros = user.AtMicros;
        e.UserIndex = user.Index;
        e.Serial = serial++;
        e.Agent = user.Agent;
        e.Zone = PickZone(rng);
        Describe(ref e, user, rng, sessionStarts);
        if (rng.Chance(MalformedRate))
        {
            e.Flags |= EventFlags.Malformed;
            e.Variant = (byte)rng.Next(3);
        }
        else if (user.SlotsLeft > 0 && rng.Chance(DuplicateRate))
        {
            user.Pending = e;
            user.HasPending = true;
        }
        Count(e, user);
    }

    private long GapInsideSession(DeterministicRandom rng)
    {
        if (rng.Chance(BelowThresholdRate))
        {
            return _thresholdMicros - MicrosPerSecond;
        }
        // Whole seconds below the threshold minus one plus a fraction below one second: always under the threshold.
        return rng.Between(1, LongestOrdinaryGapSeconds) * MicrosPerSecond + Fraction(rng, 0.1);
    }

    private long SessionGap(UserCursor user, DeterministicRandom rng)
    {
        if (rng.Chance(ExactThresholdRate))
        {
            return _thresholdMicros;
        }
        // Half the breaks are short (up to four hours); the rest are long but scaled to the user's session count, so a
        // user with hundreds of sessions still lives inside the window instead of running for years.
        var longest = user.LongestBreakSeconds;
        var seconds = rng.Chance(0.5)
            ? rng.Between(ThresholdSeconds + 1, Math.Min(4 * 3600, longest))
            : rng.Between(ThresholdSeconds + 1, longest);
        return seconds * MicrosPerSecond + Fraction(rng, 0.1);
    }

    private static int Geometric(DeterministicRandom rng, double mean)
    {
        var continueProbability = mean / (1 + mean);
        var n = 0;
        while (n < 10_000 && rng.Chance(continueProbability))
        {
            n++;
        }
        return n;
    }

    private void Count(in SyntheticEvent e, UserCursor user)
    {
        if ((e.Flags & EventFlags.Duplicate) != 0)
        {
            _duplicates++;
        }
        if ((e.Flags & EventFlags.Malformed) != 0)
        {
            _malformed++;
            return;
        }
        if ((e.Flags & EventFlags.NoUser) != 0)
        {
            _noUser++;
            return;
        }
        _counted++;
        var startsSession = true;
        if (user.HasCounted)
        {
            var gap = e.AtMicros - user.LastCountedMicros;
            startsSession = gap >= _thresholdMicros;
            if (gap == _thresholdMicros)
            {
                _gapsAtThreshold++;
            }
            else if (gap == _thresholdMicros - MicrosPerSecond)
            {
                _gapsBelowThreshold++;
            }
        }
        if (startsSession)
        {
            _sessions++;
            Array.Clear(user.SessionMask);
            user.SessionFlag = false;
        }
        Observe(e, user, startsSession);
        user.HasCounted = true;
        user.LastCountedMicros = e.AtMicros;
    }

    private void WriteChunk(AsciiLineWriter writer, Span<SyntheticEvent> events, DeterministicRandom rng)
    {
        // Fisher-Yates: duplicates drift away from their originals and each user's events leave time order.
        for (var i = events.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (events[i], events[j]) = (events[j], events[i]);
        }
        foreach (ref readonly var e in events)
        {
            writer.BeginLine();
            if ((e.Flags & EventFlags.Malformed) != 0)
            {
                WriteMalformed(writer, e);
            }
            else
            {
                WriteEvent(writer, e);
            }
            writer.EndLine();
        }
    }
}

/// <summary>What one generated file holds and what a correct pipeline must find in it.</summary>
public sealed record FileCounts(
    string File,
    long Lines,
    long Bytes,
    long Events,
    long MalformedLines,
    long DuplicateLines,
    long EventsWithoutUser,
    long Users,
    long Sessions,
    long GapsAtThreshold,
    long GapsOneSecondBelowThreshold,
    long SessionGapSeconds);
