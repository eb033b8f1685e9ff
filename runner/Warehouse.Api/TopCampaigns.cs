using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace Warehouse.Api;

/// <summary>
/// One campaign's figures summed over a period of marts.campaign_daily. viewers and sessions_with_view are sums of the
/// daily counts: a user who viewed on two days counts on each day (the mart's grain is the day).
/// </summary>
public sealed record TopCampaign(
    string CampaignId,
    long Views,
    long Viewers,
    long SessionsWithView,
    long RewardsIssued,
    long RewardsDriven,
    double ViewToDrivenRewardRate);

/// <summary>The period answered (UTC days, both included) and its campaigns, most rewards driven first.</summary>
public sealed record TopCampaigns(DateOnly From, DateOnly To, IReadOnlyList<TopCampaign> Campaigns);

/// <summary>GET /campaigns/top: the campaigns that drove the most rewards in a period.</summary>
internal static class TopCampaignsEndpoint
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;

    /// <summary>A period without both ends is this many days long: a week, what "last week" asks for.</summary>
    public const int DefaultDays = 7;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/campaigns/top", (
                [FromQuery] string? from,
                [FromQuery] string? to,
                [FromQuery] string? limit,
                TopCampaignQueries queries,
                CancellationToken ct) =>
                MartEndpoints.Answer(
                    QueryInput.First(QueryInput.Days(from, to, out var days), QueryInput.Limit(limit, DefaultLimit, MaxLimit, out var count)),
                    () => queries.TopCampaignsAsync(days, count, ct)))
            .WithName("GetTopCampaigns")
            .WithSummary("Campaigns ranked by the rewards they drove in a period of UTC days (marts.campaign_daily)")
            .WithDescription("from, to: UTC days (yyyy-MM-dd) of the views, both included. Without both, the period is " +
                $"{DefaultDays} days: ending on to, starting on from, or ending on the latest day with a campaign view. " +
                $"limit: 1 to {MaxLimit} (default {DefaultLimit}). Most rewards driven first, ties by campaign_id. " +
                "view_to_driven_reward_rate is the period's rewards_driven / views; viewers and sessions_with_view sum the daily counts.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }
}

/// <summary>The SQL of GET /campaigns/top: sums of marts.campaign_daily; the attribution rule lives in the mart only.</summary>
public sealed class TopCampaignQueries(NpgsqlDataSource dataSource)
{
    public async Task<TopCampaigns> TopCampaignsAsync(DayRange days, int limit, CancellationToken ct)
    {
        var (from, to) = await PeriodAsync(days, ct);
        // The rate from the period's sums, not an average of daily rates: a day with one view would weigh as much as a
        // day with a thousand. Ends as text: see MartQueries.DayFilter (DateOnly.MinValue would go as -infinity).
        await using var command = dataSource.CreateCommand(
            "select campaign_id, cast(sum(views) as bigint), cast(sum(viewers) as bigint), " +
            "cast(sum(sessions_with_view) as bigint), cast(sum(rewards_issued) as bigint), cast(sum(rewards_driven) as bigint), " +
            "cast(cast(sum(rewards_driven) as decimal(18, 4)) / nullif(sum(views), 0) as decimal(9, 4)) " +
            "from marts.campaign_daily where day >= cast(@from as date) and day <= cast(@to as date) " +
            "group by campaign_id order by sum(rewards_driven) desc, campaign_id collate \"C\" limit @limit");
        command.Parameters.AddWithValue("from", DayText(from));
        command.Parameters.AddWithValue("to", DayText(to));
        command.Parameters.AddWithValue("limit", limit);
        var campaigns = new List<TopCampaign>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            campaigns.Add(new TopCampaign(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.IsDBNull(6) ? 0 : (double)reader.GetDecimal(6)));
        }
        return new TopCampaigns(from, to, campaigns);
    }

    /// <summary>
    /// Both ends as asked; one end only: a week from or to it; neither: the week ending on the latest day with a view
    /// (today, UTC, when there is none), so a dashboard opened on old data still shows something. Clamped to the calendar.
    /// </summary>
    private async Task<(DateOnly From, DateOnly To)> PeriodAsync(DayRange days, CancellationToken ct)
    {
        switch (days)
        {
            case { From: { } from, To: { } to }:
                return (from, to);
            case { From: { } from }:
                return (from, from.DayNumber > DateOnly.MaxValue.DayNumber - Span ? DateOnly.MaxValue : from.AddDays(Span));
            case { To: { } to }:
                return (WeekEndingOn(to), to);
        }
        await using var command = dataSource.CreateCommand("select max(day) from marts.campaign_daily");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var latest = await reader.ReadAsync(ct) && !reader.IsDBNull(0)
            ? reader.GetFieldValue<DateOnly>(0)
            : DateOnly.FromDateTime(DateTime.UtcNow);
        return (WeekEndingOn(latest), latest);
    }

    private const int Span = TopCampaignsEndpoint.DefaultDays - 1;

    private static DateOnly WeekEndingOn(DateOnly to) => to.DayNumber < Span ? DateOnly.MinValue : to.AddDays(-Span);

    private static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
