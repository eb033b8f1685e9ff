using System.Text.Json;

namespace Warehouse.Core.Generate;

/// <summary>
/// <c>device_events.jsonl</c>: <c>{"anonymous_id": "84CC...", "device_sent_timestamp": 1554767994401, "name":
/// "screen_view", "browser_family": "Chrome", "os_family": "Android", "device_family": "Samsung SM-G960F"}</c>, with
/// <c>name</c> sometimes left out. The families are in the data, so sessions per family (by a session's first event)
/// are counted here too.
/// </summary>
internal sealed class DeviceEventsSource(ulong seed) : EventSource("device-events", "device_events.jsonl", 1800,
    new DateTimeOffset(2019, 4, 8, 0, 0, 0, TimeSpan.Zero), 7)
{
    private static readonly byte[][] Names =
        [.. new[] { "screen_view", "screen_view", "screen_view", "button_click", "app_open", "purchase" }.Select(System.Text.Encoding.UTF8.GetBytes)];

    private static readonly (byte[] Browser, byte[] Os, byte[] Device)[] Families =
    [
        .. UserAgents.Devices.Select(d => (
            System.Text.Encoding.UTF8.GetBytes(d.Browser),
            System.Text.Encoding.UTF8.GetBytes(d.Os),
            System.Text.Encoding.UTF8.GetBytes(d.Device))),
    ];

    private const byte NameAbsent = 1;

    private readonly long[] _sessionsByAgent = new long[UserAgents.Devices.Length];

    protected override long GranularityMicros => 1000;

    protected override double ExtraEventsPerSession => 5;

    protected override long LongestOrdinaryGapSeconds => 900;

    protected override int AgentCount => UserAgents.Devices.Length;

    public override void WriteExpected(Utf8JsonWriter json)
    {
        WriteBy(json, "sessions_by_browser_family", d => d.Browser);
        WriteBy(json, "sessions_by_os_family", d => d.Os);
        WriteBy(json, "sessions_by_device_family", d => d.Device);
    }

    protected override byte PickAgent(DeterministicRandom rng) => UserAgents.PickSkewed(rng, AgentCount);

    protected override void Describe(ref SyntheticEvent e, UserCursor user, DeterministicRandom rng, bool sessionStarts)
    {
        e.Kind = (byte)(sessionStarts && rng.Chance(0.5) ? 4 : rng.Next(Names.Length));
        if (rng.Chance(0.1))
        {
            e.Variant |= NameAbsent;
        }
    }

    /// <summary>The count side: a session belongs to the families of its first event.</summary>
    protected override void Observe(in SyntheticEvent e, UserCursor user, bool startsSession)
    {
        if (startsSession)
        {
            _sessionsByAgent[e.Agent]++;
        }
    }

    protected override void WriteEvent(AsciiLineWriter writer, in SyntheticEvent e)
    {
        writer.Write("{\"anonymous_id\": \""u8);
        WriteAnonymousId(writer, e.UserIndex);
        writer.Write("\", \"device_sent_timestamp\": "u8);
        writer.WriteNumber(e.AtMicros / 1000);
        if ((e.Variant & NameAbsent) == 0)
        {
            writer.Write(", \"name\": \""u8);
            writer.Write(Names[e.Kind]);
            writer.Write((byte)'"');
        }
        var families = Families[e.Agent];
        writer.Write(", \"browser_family\": \""u8);
        writer.Write(families.Browser);
        writer.Write("\", \"os_family\": \""u8);
        writer.Write(families.Os);
        writer.Write("\", \"device_family\": \""u8);
        writer.Write(families.Device);
        writer.Write("\"}"u8);
    }

    protected override void WriteMalformed(AsciiLineWriter writer, in SyntheticEvent e)
    {
        switch (e.Variant)
        {
            case 0:
                writer.Write("{\"anonymous_id\": \""u8);
                WriteAnonymousId(writer, e.UserIndex);
                writer.Write("\", \"device_sent_timest"u8);
                break;
            case 1:
                writer.Write("{\"anonymous_id\": \""u8);
                WriteAnonymousId(writer, e.UserIndex);
                writer.Write("\", \"device_sent_timestamp\": \"yesterday\", \"name\": \"screen_view\"}"u8);
                break;
            default:
                // Valid JSON, but not an event object.
                writer.Write("[\"screen_view\", 1554767994401]"u8);
                break;
        }
    }

    /// <summary>A UUID-shaped id whose first 64 bits are a bijection of the user number, so ids never collide.</summary>
    private void WriteAnonymousId(AsciiLineWriter writer, long userIndex)
    {
        var high = DeterministicRandom.Mix((ulong)userIndex ^ seed);
        var low = DeterministicRandom.Mix(high + 0x9E3779B97F4A7C15UL);
        writer.WriteHex(high >> 32, 8);
        writer.Write((byte)'-');
        writer.WriteHex(high >> 16, 4);
        writer.Write((byte)'-');
        writer.WriteHex(high, 4);
        writer.Write((byte)'-');
        writer.WriteHex(low >> 48, 4);
        writer.Write((byte)'-');
        writer.WriteHex(low, 12);
    }

    private void WriteBy(Utf8JsonWriter json, string name, Func<(string Browser, string Os, string Device), string> family)
    {
        json.WriteStartObject(name);
        var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < _sessionsByAgent.Length; i++)
        {
            var key = family(UserAgents.Devices[i]);
            totals[key] = totals.GetValueOrDefault(key) + _sessionsByAgent[i];
        }
        foreach (var (key, sessions) in totals)
        {
            json.WriteNumber(key, sessions);
        }
        json.WriteEndObject();
    }
}
