using System.Text.Json;

namespace Warehouse.Core.Generate;

/// <summary>
/// <c>webshop_events.jsonl</c>: <c>{"id": 463469, "type": "search", "event": {"user-agent": "...", "ip": "1.2.3.4",
/// "customer-id": 5326, "timestamp": "2022-04-28T07:38:46.290271", "query": "shoes"}}</c>. About one event in ten has
/// a null (or, rarely, absent) customer id; orders close some sessions; a few events carry an offset or an unknown type.
/// </summary>
internal sealed class WebshopEventsSource(ulong seed) : EventSource("webshop-events", "webshop_events.jsonl", 1800,
    new DateTimeOffset(2022, 4, 25, 0, 0, 0, TimeSpan.Zero), 7)
{
    private const byte PageView = 0;
    private const byte Search = 1;
    private const byte AddToCart = 2;
    private const byte PlacedOrder = 3;
    private const byte WishlistAdd = 4;

    /// <summary>Variant bits: which optional parts of the event are left out.</summary>
    private const byte CustomerAbsent = 1;
    private const byte IpAbsent = 2;
    private const byte AgentAbsent = 4;

    private static readonly byte[][] Types =
        [.. new[] { "page_view", "search", "add_to_cart", "placed_order", "wishlist_add" }.Select(System.Text.Encoding.UTF8.GetBytes)];

    private static readonly byte[][] Queries =
        [.. new[] { "shoes", "red dress", "running shoes size 42", "jacket", "sale", "gift card", "socks", "backpack" }.Select(System.Text.Encoding.UTF8.GetBytes)];

    private static readonly byte[][] Pages =
        [.. new[] { "/", "/category/shoes", "/category/women", "/cart", "/product/", "/help/returns" }.Select(System.Text.Encoding.UTF8.GetBytes)];

    /// <summary>Naive (UTC) timestamps mostly; some with Z or an offset, which the converter must honour.</summary>
    private static readonly (byte[] Text, int Minutes)[] Zones =
    [
        ([], 0), ([], 0), ([], 0), ([], 0), ([], 0), ([], 0), ([], 0), ([], 0), ([], 0), ([], 0), ([], 0), ([], 0),
        ("Z"u8.ToArray(), 0), ("+02:00"u8.ToArray(), 120), ("-08:00"u8.ToArray(), -480), ("+05:30"u8.ToArray(), 330),
    ];

    private long _orderSessions;
    private long _orders;

    protected override double ExtraEventsPerSession => 4;

    protected override long LongestOrdinaryGapSeconds => 900;

    protected override int AgentCount => UserAgents.Strings.Length;

    public override void WriteExpected(Utf8JsonWriter json)
    {
        json.WriteNumber("placed_orders", _orders);
        json.WriteNumber("order_sessions", _orderSessions);
    }

    protected override byte PickZone(DeterministicRandom rng) => (byte)rng.Next(Zones.Length);

    protected override byte PickAgent(DeterministicRandom rng) => UserAgents.PickSkewed(rng, AgentCount);

    protected override void Describe(ref SyntheticEvent e, UserCursor user, DeterministicRandom rng, bool sessionStarts)
    {
        if (user.SessionEventsLeft == 0 && !sessionStarts && rng.Chance(0.35))
        {
            e.Kind = PlacedOrder;
        }
        else
        {
            var roll = rng.Next(100);
            e.Kind = roll < 50 ? PageView : roll < 72 ? Search : roll < 94 ? AddToCart : roll < 97 ? WishlistAdd : PlacedOrder;
        }
        e.Target = rng.Next(1_000_000);
        if (rng.Chance(0.1))
        {
            e.Flags |= EventFlags.NoUser;
            if (rng.Chance(0.2))
            {
                e.Variant |= CustomerAbsent;
            }
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

    /// <summary>The count side: a session with at least one placed_order of a known customer is an order session.</summary>
    protected override void Observe(in SyntheticEvent e, UserCursor user, bool startsSession)
    {
        if (e.Kind == PlacedOrder)
        {
            _orders++;
            if (!user.SessionFlag)
            {
                user.SessionFlag = true;
                _orderSessions++;
            }
        }
    }

    protected override void WriteEvent(AsciiLineWriter writer, in SyntheticEvent e)
    {
        writer.Write("{\"id\": "u8);
        writer.WriteNumber(e.Serial);
        writer.Write(", \"type\": \""u8);
        writer.Write(Types[e.Kind]);
        writer.Write("\", \"event\": {"u8);
        if ((e.Variant & AgentAbsent) == 0)
        {
            writer.Write("\"user-agent\": \""u8);
            writer.Write(UserAgents.Strings[e.Agent]);
            writer.Write("\", "u8);
        }
        if ((e.Variant & IpAbsent) == 0)
        {
            writer.Write("\"ip\": \""u8);
            WriteIp(writer, e.UserIndex);
            writer.Write("\", "u8);
        }
        if ((e.Flags & EventFlags.NoUser) == 0)
        {
            writer.Write("\"customer-id\": "u8);
            writer.WriteNumber(CustomerId(e.UserIndex, seed));
            writer.Write(", "u8);
        }
        else if ((e.Variant & CustomerAbsent) == 0)
        {
            writer.Write("\"customer-id\": null, "u8);
        }
        writer.Write("\"timestamp\": \""u8);
        var zone = Zones[e.Zone];
        writer.WriteLocalDateTime(e.AtMicros, zone.Minutes);
        writer.Write(zone.Text);
        writer.Write((byte)'"');
        switch (e.Kind)
        {
            case PageView:
                writer.Write(", \"page\": \""u8);
                var page = Pages[e.Target % Pages.Length];
                writer.Write(page);
                if (page[^1] == '/' && page.Length > 1)
                {
                    writer.WriteNumber((long)(e.Target % 5000));
                }
                writer.Write((byte)'"');
                break;
            case Search:
                writer.Write(", \"query\": \""u8);
                writer.Write(Queries[e.Target % Queries.Length]);
                writer.Write((byte)'"');
                break;
            case AddToCart or WishlistAdd:
                writer.Write(", \"product\": {\"id\": \"P"u8);
                writer.WriteNumber((long)(e.Target % 5000));
                writer.Write("\", \"price\": "u8);
                writer.WriteNumber((long)(e.Target % 200 + 1));
                writer.Write(".99}"u8);
                break;
            case PlacedOrder:
                writer.Write(", \"order\": {\"id\": \"O"u8);
                writer.WriteNumber(e.Serial);
                writer.Write("\", \"total\": "u8);
                writer.WriteNumber((long)(e.Target % 500 + 5));
                writer.Write(".50, \"items\": "u8);
                writer.WriteNumber((long)(e.Target % 4 + 1));
                writer.Write((byte)'}');
                break;
        }
        writer.Write("}}"u8);
    }

    protected override void WriteMalformed(AsciiLineWriter writer, in SyntheticEvent e)
    {
        switch (e.Variant % 3)
        {
            case 0:
                // Cut off mid-record, as when a writer died.
                writer.Write("{\"id\": "u8);
                writer.WriteNumber(e.Serial);
                writer.Write(", \"type\": \"pag"u8);
                break;
            case 1:
                writer.Write("{\"id\": "u8);
                writer.WriteNumber(e.Serial);
                writer.Write(", \"type\": \"search\", \"event\": {\"customer-id\": 1, \"timestamp\": \"not a time\"}}"u8);
                break;
            default:
                writer.Write("<html><body>502 Bad Gateway</body></html>"u8);
                break;
        }
    }

    public static ulong CustomerId(long userIndex, ulong seed) => 1 + DeterministicRandom.Scramble((ulong)userIndex, 32, DeterministicRandom.Mix(seed + 2));

    public static void WriteIp(AsciiLineWriter writer, long userIndex)
    {
        var h = DeterministicRandom.Mix((ulong)userIndex);
        writer.WriteNumber((long)(h % 223 + 1));
        writer.Write((byte)'.');
        writer.WriteNumber((long)((h >> 8) & 0xFF));
        writer.Write((byte)'.');
        writer.WriteNumber((long)((h >> 16) & 0xFF));
        writer.Write((byte)'.');
        writer.WriteNumber((long)((h >> 24) & 0xFF));
    }
}
