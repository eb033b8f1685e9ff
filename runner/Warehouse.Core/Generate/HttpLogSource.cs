using System.Text.Json;

namespace Warehouse.Core.Generate;

/// <summary>
/// <c>http_log.txt</c>: <c>2019-08-27T00:07:05+00:00 POST /rewards/1529 2000020076516</c>. Mostly campaign views
/// (<c>GET /campaigns/{id}</c>) and reward issues (<c>POST /rewards/{id}</c>), plus other requests, some of which look
/// like the two on purpose (<c>GET /rewards/{id}</c>, <c>POST /campaigns/{id}</c>, <c>GET /campaigns/{id}/rewards</c>).
/// </summary>
internal sealed class HttpLogSource(CampaignCatalog catalog, ulong seed) : EventSource("http-log", "http_log.txt", 300,
    new DateTimeOffset(2019, 8, 26, 0, 0, 0, TimeSpan.Zero), 7)
{
    public const byte View = 0;
    public const byte Issue = 1;
    public const byte Other = 2;

    /// <summary>Offset styles by weight: +00:00 and Z most, then whole and half-hour offsets either side of UTC.</summary>
    private static readonly (byte[] Text, int Minutes)[] Zones =
    [
        ("+00:00"u8.ToArray(), 0), ("+00:00"u8.ToArray(), 0), ("+00:00"u8.ToArray(), 0), ("+00:00"u8.ToArray(), 0),
        ("+00:00"u8.ToArray(), 0), ("+00:00"u8.ToArray(), 0), ("+00:00"u8.ToArray(), 0), ("+00:00"u8.ToArray(), 0),
        ("Z"u8.ToArray(), 0), ("Z"u8.ToArray(), 0), ("Z"u8.ToArray(), 0),
        ("+05:30"u8.ToArray(), 330), ("+05:30"u8.ToArray(), 330),
        ("-08:00"u8.ToArray(), -480), ("-08:00"u8.ToArray(), -480),
        ("+09:00"u8.ToArray(), 540), ("-03:30"u8.ToArray(), -210), ("+01:00"u8.ToArray(), 60),
        ("-05:00"u8.ToArray(), -300), ("+13:45"u8.ToArray(), 825),
    ];

    /// <summary>Requests that are activity but neither a campaign view nor a reward issue: text, an id, more text.</summary>
    private static readonly (byte[] Before, IdKind Id, byte[] After)[] OtherRequests =
    [
        ("GET /"u8.ToArray(), IdKind.None, []),
        ("GET /campaigns"u8.ToArray(), IdKind.None, []),
        ("POST /login"u8.ToArray(), IdKind.None, []),
        ("GET /rewards/"u8.ToArray(), IdKind.Reward, []),
        ("POST /campaigns/"u8.ToArray(), IdKind.Campaign, []),
        ("GET /campaigns/"u8.ToArray(), IdKind.Campaign, "/rewards"u8.ToArray()),
        ("PUT /profile"u8.ToArray(), IdKind.None, []),
        ("DELETE /session"u8.ToArray(), IdKind.None, []),
        ("GET /health"u8.ToArray(), IdKind.None, []),
    ];

    private enum IdKind
    {
        None,
        Campaign,
        Reward,
    }

    private long _rewardDrivenSessions;
    private long _views;
    private long _issues;

    protected override double ExtraEventsPerSession => 1.8;

    protected override long LongestOrdinaryGapSeconds => 180;

    protected override int AgentCount => 1;

    protected override int SessionMaskBits => CampaignCatalog.CampaignCount;

    /// <summary>
    /// Ids are 13-digit numbers like the real log's (2000020076516), one user in eight a shorter one (509938479).
    /// Both are bijections of the user number into disjoint ranges, so different users never share an id.
    /// </summary>
    public static ulong UserId(long userIndex, ulong seed) => userIndex % 8 == 3
        ? DeterministicRandom.Scramble((ulong)userIndex, 32, DeterministicRandom.Mix(seed))
        : 2_000_000_000_000UL + DeterministicRandom.Scramble((ulong)userIndex, 36, DeterministicRandom.Mix(seed + 1));

    public override void WriteExpected(Utf8JsonWriter json)
    {
        json.WriteNumber("campaign_views", _views);
        json.WriteNumber("reward_issues", _issues);
        json.WriteNumber("reward_driven_sessions", _rewardDrivenSessions);
    }

    protected override byte PickZone(DeterministicRandom rng) => (byte)rng.Next(Zones.Length);

    protected override void Describe(ref SyntheticEvent e, UserCursor user, DeterministicRandom rng, bool sessionStarts)
    {
        var roll = rng.Next(100);
        if (roll < 68)
        {
            e.Kind = View;
            e.Target = catalog.PickCampaign(rng);
            user.Recent[user.RecentCount++ % user.Recent.Length] = e.Target;
        }
        else if (roll < 88)
        {
            e.Kind = Issue;
            // Most rewards follow a view of a campaign that holds them; the rest are unrelated or come first.
            var reward = -1;
            if (user.RecentCount > 0 && rng.Chance(0.7))
            {
                var viewed = user.Recent[rng.Next(Math.Min(user.RecentCount, user.Recent.Length))];
                reward = catalog.PickRewardOf(viewed, rng);
            }
            e.Target = reward >= 0 ? reward : catalog.PickAnyReward(rng);
        }
        else
        {
            e.Kind = Other;
            e.Variant = (byte)rng.Next(OtherRequests.Length);
            e.Target = OtherRequests[e.Variant].Id == IdKind.Reward ? catalog.PickAnyReward(rng) : catalog.PickCampaign(rng);
        }
    }

    /// <summary>
    /// The count side: a session is reward-driven when a reward issued in it belongs (in the mapping) to a campaign
    /// viewed earlier in the same session. Events arrive in time order without ties between distinct requests, so
    /// "earlier" and "at or before" agree.
    /// </summary>
    protected override void Observe(in SyntheticEvent e, UserCursor user, bool startsSession)
    {
        if (e.Kind == View)
        {
            _views++;
            user.SessionMask[e.Target / 64] |= 1UL << (e.Target % 64);
        }
        else if (e.Kind == Issue)
        {
            _issues++;
            if (!user.SessionFlag && catalog.AnyContains(user.SessionMask, e.Target))
            {
                user.SessionFlag = true;
                _rewardDrivenSessions++;
            }
        }
    }

    protected override void WriteEvent(AsciiLineWriter writer, in SyntheticEvent e)
    {
        var zone = Zones[e.Zone];
        writer.WriteLocalDateTime(e.AtMicros, zone.Minutes);
        writer.Write(zone.Text);
        writer.Write((byte)' ');
        WriteRequest(writer, e);
        writer.Write((byte)' ');
        writer.WriteNumber(UserId(e.UserIndex, seed));
    }

    protected override void WriteMalformed(AsciiLineWriter writer, in SyntheticEvent e)
    {
        switch (e.Variant)
        {
            case 0:
                // Cut short: the user id is missing.
                writer.WriteLocalDateTime(e.AtMicros, 0);
                writer.Write("+00:00 "u8);
                WriteRequest(writer, e);
                break;
            case 1:
                // A date that does not exist.
                writer.Write("2019-02-30T25:61:00+00:00 "u8);
                WriteRequest(writer, e);
                writer.Write((byte)' ');
                writer.WriteNumber(UserId(e.UserIndex, seed));
                break;
            default:
                writer.Write("\\x16\\x03\\x01 garbled request from a TLS client"u8);
                break;
        }
    }

    private void WriteRequest(AsciiLineWriter writer, in SyntheticEvent e)
    {
        switch (e.Kind)
        {
            case View:
                writer.Write("GET /campaigns/"u8);
                writer.WriteNumber((long)catalog.CampaignId(e.Target));
                break;
            case Issue:
                writer.Write("POST /rewards/"u8);
                writer.WriteNumber((long)catalog.RewardId(e.Target));
                break;
            default:
                var request = OtherRequests[e.Variant];
                writer.Write(request.Before);
                if (request.Id != IdKind.None)
                {
                    writer.WriteNumber((long)(request.Id == IdKind.Reward ? catalog.RewardId(e.Target) : catalog.CampaignId(e.Target)));
                }
                writer.Write(request.After);
                break;
        }
    }
}
