using System.Diagnostics;
using DuckDB.NET.Data;
using Warehouse.Core.Portability;

namespace Warehouse.Core.Bench;

/// <summary>What DuckDB computed from the raw files, and the wall time it took (opening the connection included).</summary>
public sealed record DuckDbPeerResult(long Sessions, long RewardDrivenSessions, long Users, double Seconds);

/// <summary>
/// The second peer of <c>warehouse bench --with-duckdb</c>: the same sessionization and campaign report as
/// bench/pandas_baseline.py, written as a DuckDB user would write it, in process, over the same raw files. It reads the
/// HTTP log itself, so its time includes parsing the file, as the warehouse's end to end includes the convert and load.
/// </summary>
public static class DuckDbPeer
{
    public const string HttpLogName = "http_log.txt";
    public const string MappingName = "campaign_reward_mapping.csv";
    public const int SessionGapSeconds = 300;

    /// <summary>
    /// The log as it was read, one row per line the CSV reader could split into four fields (lines cut short or with
    /// extra fields are skipped, like pandas' <c>on_bad_lines="skip"</c>). Stored first so each row's <c>rowid</c> is
    /// its place in the file, the tie-breaker after the event time; the scan itself runs on all cores.
    /// </summary>
    private static string ReadLog(string path) => $$"""
        create temp table raw_http_log as
        select *
        from read_csv({{RedshiftCopy.Literal(path)}},
            columns = {'ts': 'VARCHAR', 'method': 'VARCHAR', 'path': 'VARCHAR', 'user_id': 'VARCHAR'},
            delim = ' ', header = false, quote = '', escape = '', auto_detect = false, ignore_errors = true
        )
        """;

    /// <summary>
    /// One row per session with the pandas script's columns. Stored as a table, not only counted, so DuckDB has to
    /// build the whole report (a count alone would let it drop the campaign and reward lists).
    /// </summary>
    private static string BuildReport(string mappingPath) => $$"""
        create temp table session_report as
        with

        log as (
            select
                rowid as line_number,
                user_id,
                method,
                path,
                try_cast(ts as timestamptz) as event_at
            from raw_http_log
        ),

        mapping as (
            select distinct
                campaign_id,
                reward_id
            from read_csv({{RedshiftCopy.Literal(mappingPath)}},
                columns = {'campaign_id': 'VARCHAR', 'reward_id': 'VARCHAR'},
                header = true, auto_detect = false
            )
        ),

        -- a line counts only with a real timestamp and all four fields (the pandas script's dropna)
        events as (
            select
                line_number,
                user_id,
                event_at,
                case when method = 'GET' then nullif(regexp_extract(path, '^/campaigns/([0-9]+)$', 1), '') end as campaign_id,
                case when method = 'POST' then nullif(regexp_extract(path, '^/rewards/([0-9]+)$', 1), '') end as reward_id
            from log
            where event_at is not null
                and method is not null
                and path is not null
                and user_id is not null
        ),

        flagged as (
            select
                *,
                -- a gap of exactly the threshold starts a new session; the first event of a user has no previous one
                case
                    when event_at - lag(event_at) over by_user < interval {{SessionGapSeconds}} seconds then 0
                    else 1
                end as is_new_session
            from events
            window by_user as (partition by user_id order by event_at, line_number)
        ),

        sessionized as (
            select
                *,
                sum(is_new_session) over (
                    partition by user_id
                    order by event_at, line_number
                    rows between unbounded preceding and current row
                ) as session_number
            from flagged
        ),

        views as (
            select user_id, session_number, campaign_id, event_at
            from sessionized
            where campaign_id is not null
        ),

        issues as (
            select user_id, session_number, reward_id, event_at
            from sessionized
            where reward_id is not null
        ),

        -- a reward issued at or after a view, in the same session, of a campaign that holds it
        driven_sessions as (
            select distinct
                issues.user_id,
                issues.session_number
            from issues
            inner join mapping
                on mapping.reward_id = issues.reward_id
            inner join views
                on views.user_id = issues.user_id
                and views.session_number = issues.session_number
                and views.campaign_id = mapping.campaign_id
                and views.event_at <= issues.event_at
        ),

        sessions as (
            select
                user_id,
                session_number,
                min(event_at) as session_start_at,
                max(event_at) as session_end_at,
                list(distinct campaign_id) filter (where campaign_id is not null) as campaigns,
                list(distinct reward_id) filter (where reward_id is not null) as rewards_issued
            from sessionized
            group by user_id, session_number
        ),

        final as (
            select
                sessions.*,
                driven_sessions.user_id is not null as reward_driven_by_campaign_view
            from sessions
            left join driven_sessions
                on driven_sessions.user_id = sessions.user_id
                and driven_sessions.session_number = sessions.session_number
        )

        select * from final
        """;

    private const string CountReport = """
        select
            count(*) as sessions,
            count(*) filter (where reward_driven_by_campaign_view) as reward_driven_sessions,
            count(distinct user_id) as users
        from session_report
        """;

    /// <summary>
    /// Runs the peer over <paramref name="dataDirectory"/> (which holds http_log.txt and campaign_reward_mapping.csv)
    /// in a fresh in-memory DuckDB with its default settings (all cores).
    /// </summary>
    public static DuckDbPeerResult Run(string dataDirectory, CancellationToken ct = default)
    {
        var log = Path.GetFullPath(Path.Combine(dataDirectory, HttpLogName));
        var mapping = Path.GetFullPath(Path.Combine(dataDirectory, MappingName));
        foreach (var file in new[] { log, mapping })
        {
            if (!File.Exists(file))
            {
                throw new WarehouseException($"the DuckDB peer needs {file}");
            }
        }

        var watch = Stopwatch.StartNew();
        try
        {
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            Execute(connection, ReadLog(log), ct);
            Execute(connection, BuildReport(mapping), ct);
            ct.ThrowIfCancellationRequested();
            using var command = connection.CreateCommand();
            command.CommandText = CountReport;
            using var reader = command.ExecuteReader();
            reader.Read();
            var (sessions, driven, users) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            return new DuckDbPeerResult(sessions, driven, users, watch.Elapsed.TotalSeconds);
        }
        catch (DuckDBException e)
        {
            throw new WarehouseException($"the DuckDB peer failed: {e.Message}", e);
        }
    }

    private static void Execute(DuckDBConnection connection, string sql, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
