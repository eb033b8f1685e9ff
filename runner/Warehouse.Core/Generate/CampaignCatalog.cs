namespace Warehouse.Core.Generate;

/// <summary>
/// Campaigns and the rewards they contain, written as <c>campaign_reward_mapping.csv</c>. Its size does not grow with the
/// event count: a few hundred campaigns, some without rewards, a reward pool in which some rewards belong to several
/// campaigns and some to none, and a share of pairs written twice (the loader must drop the repeats).
/// </summary>
internal sealed class CampaignCatalog
{
    public const int CampaignCount = 240;
    public const int PopularCampaigns = 8;
    private const int RewardCount = 2500;
    private const double RepeatedPairRate = 0.06;

    private readonly int[] _campaignIds;
    private readonly int[] _rewardIds;
    private readonly int[][] _rewardsOfCampaign;
    /// <summary>For each reward, a bit per campaign that contains it: the count side's "does a viewed campaign hold it".</summary>
    private readonly ulong[][] _campaignsOfReward;
    private readonly List<(int Campaign, int Reward)> _lines = [];

    public CampaignCatalog(ulong seed)
    {
        var rng = DeterministicRandom.For(seed, "campaign_reward_mapping.csv");
        _campaignIds = DistinctIds(rng, CampaignCount, 1, 4000);
        _rewardIds = DistinctIds(rng, RewardCount, 1, 9999);
        _campaignsOfReward = new ulong[RewardCount][];
        for (var r = 0; r < RewardCount; r++)
        {
            _campaignsOfReward[r] = new ulong[MaskWords];
        }
        _rewardsOfCampaign = new int[CampaignCount][];
        for (var c = 0; c < CampaignCount; c++)
        {
            // One campaign in five has no rewards at all: its views never drive a reward.
            var size = rng.Chance(0.2) ? 0 : (int)rng.Between(1, 25);
            var rewards = new HashSet<int>();
            while (rewards.Count < size)
            {
                // Rewards from the first 2000 only: the last 500 belong to no campaign.
                rewards.Add(rng.Next(2000));
            }
            _rewardsOfCampaign[c] = [.. rewards.Order()];
            foreach (var r in _rewardsOfCampaign[c])
            {
                _campaignsOfReward[r][c / 64] |= 1UL << (c % 64);
                _lines.Add((c, r));
            }
        }
        DistinctPairs = _lines.Count;
        var repeats = (int)(_lines.Count * RepeatedPairRate);
        for (var i = 0; i < repeats; i++)
        {
            _lines.Add(_lines[rng.Next(DistinctPairs)]);
        }
        for (var i = _lines.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (_lines[i], _lines[j]) = (_lines[j], _lines[i]);
        }
    }

    public static int MaskWords => (CampaignCount + 63) / 64;

    public int DistinctPairs { get; }

    public int PairLines => _lines.Count;

    public int CampaignId(int campaign) => _campaignIds[campaign];

    public int RewardId(int reward) => _rewardIds[reward];

    /// <summary>Half the views go to a few popular campaigns, as in real traffic.</summary>
    public int PickCampaign(DeterministicRandom rng) =>
        rng.Chance(0.5) ? rng.Next(PopularCampaigns) : rng.Next(CampaignCount);

    public int PickAnyReward(DeterministicRandom rng) => rng.Next(RewardCount);

    /// <summary>A reward of the campaign, or -1 when it has none.</summary>
    public int PickRewardOf(int campaign, DeterministicRandom rng)
    {
        var rewards = _rewardsOfCampaign[campaign];
        return rewards.Length == 0 ? -1 : rewards[rng.Next(rewards.Length)];
    }

    public bool AnyContains(ulong[] campaignMask, int reward)
    {
        var owners = _campaignsOfReward[reward];
        for (var i = 0; i < owners.Length; i++)
        {
            if ((owners[i] & campaignMask[i]) != 0)
            {
                return true;
            }
        }
        return false;
    }

    public long Write(Stream output, out long lines)
    {
        using var writer = new AsciiLineWriter(output);
        writer.BeginLine();
        writer.Write("campaign_id,reward_id"u8);
        writer.EndLine();
        foreach (var (campaign, reward) in _lines)
        {
            writer.BeginLine();
            writer.WriteNumber((long)_campaignIds[campaign]);
            writer.Write((byte)',');
            writer.WriteNumber((long)_rewardIds[reward]);
            writer.EndLine();
        }
        writer.Flush();
        lines = writer.Lines;
        return writer.BytesWritten;
    }

    private static int[] DistinctIds(DeterministicRandom rng, int count, int min, int max)
    {
        var ids = new HashSet<int>();
        var order = new List<int>();
        while (order.Count < count)
        {
            var id = (int)rng.Between(min, max);
            if (ids.Add(id))
            {
                order.Add(id);
            }
        }
        return [.. order];
    }
}
