namespace Warehouse.Core.Generate;

/// <summary>
/// <c>clickstream.csv</c>: header <c>ip,original_timestamp,productId,userAgent,userId</c>; epoch seconds, sometimes with a
/// millisecond fraction; the user agent quoted (it holds commas); productId, ip or user agent sometimes empty.
/// </summary>
internal sealed class ClickstreamSource(ulong seed) : EventSource("clickstream-csv", "clickstream.csv", 1800,
    new DateTimeOffset(2019, 4, 8, 0, 0, 0, TimeSpan.Zero), 7)
{
    private const byte ProductAbsent = 1;
    private const byte IpAbsent = 2;
    private const byte AgentAbsent = 4;

    protected override long GranularityMicros => 1000;

    protected override double ExtraEventsPerSession => 5;

    protected override long LongestOrdinaryGapSeconds => 900;

    protected override int AgentCount => UserAgents.Strings.Length;

    protected override byte PickAgent(DeterministicRandom rng) => UserAgents.PickSkewed(rng, AgentCount);

    protected override void WriteHeader(AsciiLineWriter writer)
    {
        writer.BeginLine();
        writer.Write("ip,original_timestamp,productId,userAgent,userId"u8);
        writer.EndLine();
    }

    protected override void Describe(ref SyntheticEvent e, UserCursor user, DeterministicRandom rng, bool sessionStarts)
    {
        e.Target = rng.Next(5000);
        if (rng.Chance(0.2))
        {
            e.Variant |= ProductAbsent;
        }
        if (rng.Chance(0.01))
        {
            e.Variant |= IpAbsent;
        }
        if (rng.Chance(0.01))
        {
            e.Variant |= AgentAbsent;
        }
    }

    protected override void WriteEvent(AsciiLineWriter writer, in SyntheticEvent e)
    {
        if ((e.Variant & IpAbsent) == 0)
        {
            WebshopEventsSource.WriteIp(writer, e.UserIndex);
        }
        writer.Write((byte)',');
        writer.WriteEpochSeconds(e.AtMicros);
        writer.Write((byte)',');
        if ((e.Variant & ProductAbsent) == 0)
        {
            writer.Write((byte)'P');
            writer.WriteNumber((long)e.Target);
        }
        writer.Write((byte)',');
        if ((e.Variant & AgentAbsent) == 0)
        {
            writer.Write((byte)'"');
            writer.Write(UserAgents.Strings[e.Agent]);
            writer.Write((byte)'"');
        }
        writer.Write(",u"u8);
        writer.WriteNumber(DeterministicRandom.Scramble((ulong)e.UserIndex, 32, DeterministicRandom.Mix(seed + 3)));
    }

    protected override void WriteMalformed(AsciiLineWriter writer, in SyntheticEvent e)
    {
        switch (e.Variant)
        {
            case 0:
                // Too few fields.
                WebshopEventsSource.WriteIp(writer, e.UserIndex);
                writer.Write((byte)',');
                writer.WriteEpochSeconds(e.AtMicros);
                break;
            case 1:
                writer.Write("10.0.0.1,yesterday,P1,\"curl/7.64.0\",u1"u8);
                break;
            default:
                // Too many fields (an unquoted user agent). Never an unterminated quote: a CSV reader would swallow the
                // lines after it, and the expected counts assume each line stands alone.
                // (The comma in "KHTML, like Gecko" is what makes it six fields; "Win64; x64" alone would be five.)
                writer.Write("10.0.0.1,1554767994,P1,Mozilla/5.0 (KHTML, like Gecko) Chrome/73.0,u1"u8);
                break;
        }
    }
}
