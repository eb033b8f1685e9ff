using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Warehouse.Api;

/// <summary>The JSON endpoints. Query parameters arrive as text and are checked here, so bad input is always a 400 problem.</summary>
internal static class MartEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics/order", async (MartQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.OrderMetricsAsync(ct)))
            .WithName("GetOrderMetrics")
            .WithSummary("Median visits and minutes of visits before an order (marts.order_metrics)");

        app.MapGet("/sessions/by/{key}", (
                string key,
                [FromQuery] string? source,
                MartQueries queries,
                CancellationToken ct) =>
                Answer(
                    QueryInput.First(QueryInput.Key(key), QueryInput.Source(source, out var parsedSource)),
                    () => queries.SessionsByKeyAsync(key, parsedSource, ct)))
            .WithName("GetSessionsByKey")
            .WithSummary("Sessions per browser, OS or device family of the session's first event (marts.sessions_by_key)")
            .WithDescription("key: browser_family, os_family or device_family. source: http_log, webshop_events, " +
                "device_events or clickstream; all sources summed when absent. Largest first; no family reads as \"Other\".")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapGet("/campaigns/performance", (
                [FromQuery] string? from,
                [FromQuery] string? to,
                [FromQuery(Name = "user_id")] string? userId,
                [FromQuery] string? limit,
                [FromQuery] string? cursor,
                MartQueries queries,
                CancellationToken ct) =>
                Answer(
                    QueryInput.First(
                        QueryInput.Timestamp("from", from, out var fromAt),
                        QueryInput.Timestamp("to", to, out var toAt),
                        QueryInput.UserId(userId, out var user),
                        QueryInput.Limit(limit, out var pageSize),
                        QueryInput.Cursor(cursor, out var after),
                        fromAt > toAt ? new InputError("to", "to must not be before from (the frame is [from, to))") : null),
                    () => queries.CampaignPerformanceAsync(new CampaignQuery(fromAt, toAt, user, pageSize, after), ct)))
            .WithName("GetCampaignPerformance")
            .WithSummary("HTTP-log sessions with campaigns viewed and rewards issued (marts.campaign_performance)")
            .WithDescription("Sessions starting in [from, to), optionally of one user_id, ordered by session_start then " +
                "user_id. limit: 1 to 1000 (default 100). Pass next_cursor as cursor for the next page; null on the last page.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapGet("/sessions/daily", ([FromQuery] string? source, MartQueries queries, CancellationToken ct) =>
                Answer(QueryInput.Source(source, out var parsedSource), () => queries.DailySessionsAsync(parsedSource, ct)))
            .WithName("GetDailySessions")
            .WithSummary("Sessions, users, events and median duration per source and UTC day (marts.daily_sessions)")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapGet("/sessions/daily-by-key", (
                [FromQuery] string? key,
                [FromQuery] string? source,
                [FromQuery] string? from,
                [FromQuery] string? to,
                MartQueries queries,
                CancellationToken ct) =>
                Answer(
                    QueryInput.First(
                        QueryInput.RequiredKey(key),
                        QueryInput.Source(source, out var parsedSource),
                        QueryInput.Days(from, to, out var days)),
                    () => queries.DailySessionsByKeyAsync(key!, parsedSource, days, ct)))
            .WithName("GetDailySessionsByKey")
            .WithSummary("Sessions, users, events and median duration per UTC day, source and family value (marts.daily_sessions_by_key)")
            .WithDescription("key (required): browser_family, os_family or device_family. source: one source, all when absent. " +
                "from, to: UTC days (yyyy-MM-dd) of session start, both included; open-ended when absent. Ordered by day, " +
                "source and value; group_value is null for sessions whose first event has no family.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapGet("/traffic/sources", ([FromQuery] string? from, [FromQuery] string? to, MartQueries queries, CancellationToken ct) =>
                Answer(QueryInput.Days(from, to, out var days), () => queries.TrafficSourcesAsync(days, ct)))
            .WithName("GetTrafficSources")
            .WithSummary("access_log sessions per channel for a period, and per UTC day and channel (marts.traffic_sources)")
            .WithDescription("from, to: UTC days (yyyy-MM-dd) of session start, both included; open-ended when absent. " +
                "channels: totals of the period, largest first; daily: per day and channel, by day. Channels: campaign, " +
                "direct, internal, search, social, referral. Empty lists when no access log is loaded.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapGet("/traffic/landing-pages", ([FromQuery] string? limit, MartQueries queries, CancellationToken ct) =>
                Answer(QueryInput.Limit(limit, out var count), () => queries.LandingPagesAsync(count, ct)))
            .WithName("GetLandingPages")
            .WithSummary("Landing pages of access_log sessions with bounce rate, pages per session, median duration (marts.landing_pages)")
            .WithDescription("The pages with the most sessions first (ties by path). limit: 1 to 1000 (default 100). " +
                "A bounce is a session with one page view; durations in seconds.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapGet("/traffic/status-daily", ([FromQuery] string? from, [FromQuery] string? to, MartQueries queries, CancellationToken ct) =>
                Answer(QueryInput.Days(from, to, out var days), () => queries.HttpStatusDailyAsync(days, ct)))
            .WithName("GetHttpStatusDaily")
            .WithSummary("access_log requests per UTC day and status class, bots included, with the bots' share (marts.http_status_daily)")
            .WithDescription("from, to: UTC days (yyyy-MM-dd), both included; open-ended when absent. Ordered by day and class.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapGet("/health", async Task<Results<Ok<HealthReport>, ProblemHttpResult>> (HealthCheck health, CancellationToken ct) =>
            {
                var (report, problems) = await health.CheckAsync(ct);
                return problems.Count == 0
                    ? TypedResults.Ok(report)
                    : TypedResults.Problem(
                        title: "Migrations not current",
                        detail: $"{problems.Count} migration(s) are not applied as on disk; run `warehouse migrate`.",
                        statusCode: StatusCodes.Status503ServiceUnavailable,
                        extensions: new Dictionary<string, object?> { ["migrations"] = problems });
            })
            .WithName("GetHealth")
            .WithSummary("200 when the database answers and every migration is applied; 503 problem otherwise")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>A 400 problem for <paramref name="error"/>, else 200 with the query's answer (the query runs only then).</summary>
    internal static async Task<Results<Ok<T>, ProblemHttpResult>> Answer<T>(InputError? error, Func<Task<T>> query) =>
        error is null ? TypedResults.Ok(await query()) : BadRequest(error);

    internal static ProblemHttpResult BadRequest(InputError error)
    {
        var extensions = new Dictionary<string, object?> { ["parameter"] = error.Parameter };
        if (error.Allowed is not null)
        {
            extensions["allowed"] = error.Allowed;
        }
        return TypedResults.Problem(
            title: $"Invalid {error.Parameter}",
            detail: error.Detail,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: extensions);
    }
}
