namespace Warehouse.Core.Generate;

/// <summary>One generated event, held only until its chunk is shuffled and written.</summary>
internal struct SyntheticEvent
{
    public long AtMicros;
    public long UserIndex;
    /// <summary>A running number per file (the webshop event id); a duplicate keeps its original's.</summary>
    public long Serial;
    /// <summary>What the event is about: a campaign or reward index, a product, a page.</summary>
    public int Target;
    public byte Kind;
    public byte Zone;
    public byte Agent;
    public EventFlags Flags;
    /// <summary>Small per-source choices (which optional field is left out, which malformation).</summary>
    public byte Variant;
}

[Flags]
internal enum EventFlags : byte
{
    None = 0,
    Duplicate = 1,
    Malformed = 2,
    /// <summary>The event names no user (a webshop event with a null or absent customer id).</summary>
    NoUser = 4,
}

/// <summary>One user being generated: where its clock stands and what the independent count has seen so far.</summary>
internal sealed class UserCursor
{
    public long Index;
    public long SlotsLeft;
    public long AtMicros;
    public int SessionEventsLeft;
    /// <summary>Upper bound of a long break between sessions, shorter for users with many sessions.</summary>
    public long LongestBreakSeconds;
    public double ExtraEventsPerSession;
    public bool Started;
    public byte Agent;
    public bool HasPending;
    /// <summary>Generation side: false until the source has described the user's first event.</summary>
    public bool Introduced;
    public SyntheticEvent Pending;

    /// <summary>Generation side: campaigns viewed in the session being generated, to make rewards follow views.</summary>
    public readonly int[] Recent = new int[4];
    public int RecentCount;

    /// <summary>Count side, computed only from the events as written: the last counted event and session state.</summary>
    public bool HasCounted;
    public long LastCountedMicros;
    public ulong[] SessionMask = [];
    public bool SessionFlag;

    public void Reset(long index, long slots, long startMicros, byte agent)
    {
        Index = index;
        SlotsLeft = slots;
        AtMicros = startMicros;
        SessionEventsLeft = 0;
        Started = false;
        Agent = agent;
        HasPending = false;
        Introduced = false;
        RecentCount = 0;
        HasCounted = false;
        LastCountedMicros = 0;
        Array.Clear(SessionMask);
        SessionFlag = false;
    }
}
