using System.Data;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Core.Load;

namespace Warehouse.Core.Refresh;

public sealed record RefreshOptions
{
    /// <summary>Thresholds to write into <c>core.session_gap_settings</c> first (<c>--session-gap SOURCE=SECONDS</c>).</summary>
    public IReadOnlyList<(string Source, int Seconds)> SessionGaps { get; init; } = [];

    /// <summary>Rebuild everything from staging instead of taking in only what was loaded since the last refresh.</summary>
    public bool Full { get; init; }

    /// <summary>
    /// Told the name of each step as it starts (the names <see cref="RefreshResult.Steps"/> lists), so a caller can show
    /// progress: a full refresh of millions of events runs for minutes.
    /// </summary>
    public IProgress<string>? Progress { get; init; }
}

/// <summary>What a refresh did, with the time of each step.</summary>
/// <param name="Full">Everything was rebuilt from staging (asked for, or nothing was materialised yet).</param>
/// <param name="RebuiltSources">Sources rebuilt from staging in an incremental refresh (threshold changed, new mapping).</param>
/// <param name="UsersReopened">Users whose sessions were rebuilt from a reopened session onward.</param>
/// <param name="EventsWritten">Rows written into <c>core.fct_sessionized_events</c>.</param>
/// <param name="SessionsWritten">Rows written into <c>core.fct_sessions</c>.</param>
/// <param name="LoadedThrough">The last load id the materialised tables now include.</param>
public sealed record RefreshResult(bool Full, IReadOnlyList<string> RebuiltSources, long UsersReopened, long EventsWritten,
    long SessionsWritten, long LoadedThrough, IReadOnlyList<(string Step, TimeSpan Elapsed)> Steps);

/// <summary>
/// Brings the materialised sessions and marts up to date with staging, in ONE transaction (readers see the previous
/// refresh or this one, never a mix).
///
/// Full: the fct_ tables are truncated and rebuilt from every staging row; the sessionization is one sort of the events.
/// Incremental (the default once something is materialised): only staging rows loaded after the last refresh
/// (<c>load_id</c> above <c>core.refresh_state.loaded_through_load_id</c>) are taken in. For each user with new events,
/// the materialised rows are rebuilt from the start of the session holding the user's last event strictly before the
/// earliest new event (or from the first session when there is none): a late event can merge that session with the
/// next or split it, never change an earlier one. The rebuilt events go back through the same view
/// (<c>core.int_events_sessionized</c>) with the event just before them as context, so numbering continues. Sessions and
/// the per-session campaign rows are rewritten for the rebuilt sessions only; <c>marts.order_metrics</c>,
/// <c>marts.sessions_by_key</c> and <c>marts.daily_sessions</c> are views over the materialised sessions, computed on read.
/// A source whose session threshold changed, or the HTTP log after a new campaign/reward mapping, is rebuilt in full.
/// </summary>
public sealed class Refresher(string connectionString)
{
    /// <summary>
    /// Memory per sort or hash step of a refresh (but the two big sorts, below). A limit, not an allocation: each step
    /// takes what its rows need, and a larger data set spills to disk as before.
    /// </summary>
    private const string RefreshWorkMem = "1GB";

    /// <summary>
    /// Memory for the two big sorts, the sessionize sort and the HTTP summary's sort of the campaign touches,
    /// deliberately small: PostgreSQL then sorts cache-sized runs and merges them from temporary files, instead of one
    /// quicksort of the whole data in memory whose comparisons miss the CPU cache. At 5 million events:
    /// - sessionize: at least as fast with 1/16 of the memory: the whole statement took 27-28 s at 16-64 MB against
    ///   31-41 s at 1 GB in six runs side by side; a later three-pair comparison on a noisier machine gave equal medians
    ///   (35.0 s and 35.1 s);
    /// - HTTP summary: 64 MB was faster in five alternating pairs out of five (median 17.6 s against 22.6 s), sorting
    ///   4.9 million rows in runs instead of one 600 MB quicksort. Its hash joins still fit in memory through
    ///   <see cref="RefreshHashMemMultiplier"/>.
    /// </summary>
    private const string SortWorkMem = "64MB";

    /// <summary>
    /// Hash tables may use this many times <see cref="RefreshWorkMem"/>. The planner sizes a hash aggregate's group limit
    /// from the declared widths (varchar(256), varchar(320)...), several times the real rows, so at the default (2) the
    /// session aggregation of 5 million events spilled to disk at 370 MB actually used. With 8 it stays in memory
    /// (10.6 s -> 6.8 s measured side by side; across benchmark runs on a 2-core machine the step varies 7-13 s).
    /// </summary>
    private const int RefreshHashMemMultiplier = 8;

    private static readonly string[] StagingTables =
        ["staging.http_log", "staging.webshop_events", "staging.device_events", "staging.clickstream", "staging.campaign_reward_mapping"];

    private const string EventColumns = """
        source, user_id, event_at, event_type, source_file, source_line, method, path, campaign_id, reward_id, event_id,
        properties, product_id, user_agent, ip, browser_family, os_family, device_family
        """;

    // core.int_events_sessionized's columns but is_context; session_id, seconds_since_previous_event and
    // session_gap_seconds are derived where they are read (V0063).
    private const string SessionizedColumns = EventColumns + """
        , user_event_number, previous_event_at, is_new_session, session_number, load_id, refresh_id
        """;

    private const string SessionColumns = """
        source, user_id, session_id, session_number, session_start, session_end, event_count, duration_seconds,
        browser_family, os_family, device_family, has_placed_order, refresh_id
        """;

    private const string HttpSessionColumns =
        "session_id, user_id, session_number, session_start, session_end, campaigns, rewards_issued, reward_driven_by_campaign_view, refresh_id";

    public Task<RefreshResult> RefreshAsync(IReadOnlyList<(string Source, int Seconds)> sessionGaps, CancellationToken ct = default) =>
        RefreshAsync(new RefreshOptions { SessionGaps = sessionGaps }, ct);

    public async Task<RefreshResult> RefreshAsync(RefreshOptions options, CancellationToken ct = default)
    {
        // Each step's time runs from the end of the step before it, so the steps add up to the whole refresh.
        var steps = new List<(string, TimeSpan)>();
        var stopwatch = Stopwatch.StartNew();
        var current = "";
        void Begin(string name)
        {
            current = name;
            options.Progress?.Report(name);
        }
        void End()
        {
            steps.Add((current, stopwatch.Elapsed));
            stopwatch.Restart();
        }

        await using var connection = await Connections.OpenAsync(connectionString, ct);

        // Repeatable read: every statement sees the same staging rows, so the load id recorded at the end is exactly
        // what was taken in even while a load commits meanwhile. The lock comes first, before the snapshot is taken,
        // and makes a second refresh wait for this one.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await ExecuteAsync(connection, transaction, "lock table core.refresh_state in exclusive mode", ct);
        // The session aggregate and the HTTP summary's hash joins over millions of rows spill to disk at a server's
        // default work_mem (4 MB; 256 MB on the embedded cluster) and run several times faster in memory. For this
        // transaction only; the two big sorts get less (SortWorkMem).
        // (Redshift has no work_mem: its memory comes from the WLM queue, so the setting is for PostgreSQL only.)
        await using var versionQuery = new NpgsqlCommand("select version()", connection, transaction);
        var version = (string)(await versionQuery.ExecuteScalarAsync(ct))!;
        var onPostgres = !version.Contains("Redshift", StringComparison.OrdinalIgnoreCase);
        if (onPostgres)
        {
            await ExecuteAsync(connection, transaction, $"set local work_mem = '{RefreshWorkMem}'", ct);
            await ExecuteAsync(connection, transaction, $"set local hash_mem_multiplier = {RefreshHashMemMultiplier}", ct);
        }
        await SessionGaps.ApplyAsync(connection, transaction, options.SessionGaps, ct);

        var state = await ReadStateAsync(connection, transaction, ct);
        var loadedThrough = await ScalarAsync(connection, transaction, "select coalesce(max(load_id), 0) from staging.loaded_files", ct);
        var refreshId = state.Values.Max(s => s.RefreshId) + 1;
        var full = options.Full || state.Values.All(s => s.LoadedThrough < 0);
        var rebuilt = new List<string>();
        long usersReopened = 0;
        if (full)
        {
            // Fresh planner statistics on staging: the sort and joins of a full build are planned from them. An
            // incremental refresh reads few rows and leaves the statistics to autovacuum (analyze costs ~0.1 s a table).
            Begin("analyze staging");
            await AnalyzeStagingAsync(connection, transaction, ct);
            End();
        }

        if (full)
        {
            // Truncated in this transaction: with wal_level=minimal the inserts below skip the WAL, as fast as an
            // unlogged table, and the tables stay crash-safe. Readers wait for the commit instead of seeing them empty.
            Begin("truncate");
            await ExecuteAsync(connection, transaction,
                "truncate core.fct_sessionized_events, core.fct_sessions, core.fct_http_sessions, core.int_reopened_events", ct);
            await ExecuteAsync(connection, transaction, "update core.refresh_state set loaded_through_load_id = -1", ct);
            End();
        }
        else
        {
            rebuilt.AddRange(state.Values.Where(s => s.LoadedThrough < 0 || s.GapUsed != s.GapSetting).Select(s => s.Source));
            var httpLoadedThrough = state.TryGetValue(Sources.HttpLog.Name, out var http) ? http.LoadedThrough : -1;
            var newMapping = await ScalarAsync(connection, transaction,
                $"select count(*) from staging.loaded_files where source = '{StagingLoader.MappingSource}' and coalesce(load_id, 0) > {httpLoadedThrough}", ct);
            if (newMapping > 0 && !rebuilt.Contains(Sources.HttpLog.Name))
            {
                // reward_driven_by_campaign_view of any session may change with the mapping
                rebuilt.Add(Sources.HttpLog.Name);
            }
            if (rebuilt.Count > 0)
            {
                Begin("reset " + string.Join(", ", rebuilt));
                await AnalyzeStagingAsync(connection, transaction, ct);
                await ResetSourcesAsync(connection, transaction, rebuilt, ct);
                End();
            }
        }
        await ExecuteAsync(connection, transaction, $"update core.refresh_state set refresh_id = {refreshId}", ct);

        if (!full)
        {
            Begin("reopen affected sessions");
            usersReopened = await ReopenAsync(connection, transaction, ct);
            End();
        }

        Begin("sessionize events");
        if (onPostgres)
        {
            await ExecuteAsync(connection, transaction, $"set local work_mem = '{SortWorkMem}'", ct);
        }
        var events = await ExecuteAsync(connection, transaction, $"""
            insert into core.fct_sessionized_events ({SessionizedColumns})
            select {SessionizedColumns}
            from core.int_events_sessionized
            where not is_context
            """, ct);
        if (onPostgres)
        {
            await ExecuteAsync(connection, transaction, $"set local work_mem = '{RefreshWorkMem}'", ct);
        }
        await ExecuteAsync(connection, transaction, "delete from core.int_reopened_events", ct);
        End();
        // Each later step is planned from the statistics of the table the step before it filled. Without them, after a
        // rebuild, the planner took the 1.9 million new sessions for a few rows and the HTTP summary of 5 million
        // events ran for over 15 minutes in nested loops instead of 30 seconds.
        var bulk = full || rebuilt.Count > 0;
        if (bulk)
        {
            Begin("analyze sessionized events");
            await ExecuteAsync(connection, transaction, "analyze core.fct_sessionized_events", ct);
            End();
        }

        Begin("aggregate sessions");
        var sessions = await ExecuteAsync(connection, transaction, $"""
            insert into core.fct_sessions ({SessionColumns})
            select {SessionColumns}
            from core.int_sessions_aggregated
            """, ct);
        End();
        if (bulk)
        {
            Begin("analyze sessions");
            await ExecuteAsync(connection, transaction, "analyze core.fct_sessions", ct);
            End();
        }

        Begin("summarize http sessions");
        if (onPostgres)
        {
            // The summary groups millions of nearly unique (session, campaign) pairs and then groups those by session
            // for the ordered lists. Grouping by sorting instead of hashing is faster here: one sort serves both
            // groupings (5 million events, two alternating pairs: 22 s against 34-46 s; with the earlier shape of the
            // view, three pairs: 0.76x the time). The planner, which sizes hash tables from the declared varchar
            // widths, does not see it.
            await ExecuteAsync(connection, transaction, "set local enable_hashagg = off", ct);
            await ExecuteAsync(connection, transaction, $"set local work_mem = '{SortWorkMem}'", ct);
        }
        await ExecuteAsync(connection, transaction, $"""
            insert into core.fct_http_sessions ({HttpSessionColumns})
            select {HttpSessionColumns}
            from core.int_http_sessions_summarized
            """, ct);
        if (onPostgres)
        {
            await ExecuteAsync(connection, transaction, "reset enable_hashagg", ct);
            await ExecuteAsync(connection, transaction, $"set local work_mem = '{RefreshWorkMem}'", ct);
        }
        End();

        await ExecuteAsync(connection, transaction, $"""
            update core.refresh_state
            set
                loaded_through_load_id = {loadedThrough},
                session_gap_seconds = session_gap_settings.gap_seconds,
                refreshed_at = statement_timestamp()
            from core.session_gap_settings
            where session_gap_settings.source = refresh_state.source
            """, ct);
        if (bulk)
        {
            Begin("analyze http sessions");
            await ExecuteAsync(connection, transaction, "analyze core.fct_http_sessions", ct);
            End();
        }
        Begin("commit");
        await transaction.CommitAsync(ct);
        End();
        return new RefreshResult(full, rebuilt, usersReopened, events, sessions, loadedThrough, steps);
    }

    private static async Task AnalyzeStagingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        foreach (var table in StagingTables)
        {
            await ExecuteAsync(connection, transaction, $"analyze {table}", ct);
        }
    }

    /// <summary>Deletes a source's materialised rows and marks it as having nothing materialised, so all its staging rows are new.</summary>
    private static async Task ResetSourcesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string> sources, CancellationToken ct)
    {
        var list = string.Join(", ", sources.Select(s => $"'{Sources.ByName(s).Name}'"));
        if (sources.Contains(Sources.HttpLog.Name))
        {
            await ExecuteAsync(connection, transaction, "delete from core.fct_http_sessions", ct);
        }
        await ExecuteAsync(connection, transaction, $"delete from core.fct_sessions where source in ({list})", ct);
        await ExecuteAsync(connection, transaction, $"delete from core.fct_sessionized_events where source in ({list})", ct);
        await ExecuteAsync(connection, transaction, $"update core.refresh_state set loaded_through_load_id = -1 where source in ({list})", ct);
    }

    /// <summary>
    /// For every user with new events in a source that has materialised rows: finds the first session a new event can
    /// change, moves that session and every later one (plus the event just before, as context) into
    /// <c>core.int_reopened_events</c>, and deletes them and what was built from them. Returns the number of users.
    /// </summary>
    private static async Task<long> ReopenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await ExecuteAsync(connection, transaction, """
            create temporary table reopen_points on commit drop as
            with

            refresh_state as (
                select * from core.refresh_state
                where loaded_through_load_id >= 0
            ),

            new_events as (
                select
                    events.source,
                    events.user_id,
                    min(events.event_at) as first_new_event_at
                from core.events as events
                inner join refresh_state
                    on refresh_state.source = events.source
                where events.user_id is not null
                    and coalesce(events.load_id, 0) > refresh_state.loaded_through_load_id
                group by events.source, events.user_id
            ),

            -- the session of the user's last materialised event strictly before the earliest new one: a new event can
            -- extend, merge or split it and renumber what follows, nothing before it. An event at the same instant may
            -- sort either side of the new one (ties go by file and line), so it does not count as before.
            reopen_sessions as (
                select
                    new_events.source,
                    new_events.user_id,
                    coalesce(max(materialised.session_number), 1) as reopen_session_number
                from new_events
                left join core.fct_sessionized_events as materialised
                    on materialised.source = new_events.source
                    and materialised.user_id = new_events.user_id
                    and materialised.event_at < new_events.first_new_event_at
                group by new_events.source, new_events.user_id
            ),

            -- the context row: the last event before the reopened session (none when the first session reopens)
            final as (
                select
                    reopen_sessions.source,
                    reopen_sessions.user_id,
                    reopen_sessions.reopen_session_number,
                    max(materialised.user_event_number) as context_user_event_number
                from reopen_sessions
                left join core.fct_sessionized_events as materialised
                    on materialised.source = reopen_sessions.source
                    and materialised.user_id = reopen_sessions.user_id
                    and materialised.session_number < reopen_sessions.reopen_session_number
                group by reopen_sessions.source, reopen_sessions.user_id, reopen_sessions.reopen_session_number
            )

            select * from final
            """, ct);
        await ExecuteAsync(connection, transaction, "analyze reopen_points", ct);
        var users = await ScalarAsync(connection, transaction, "select count(*) from reopen_points", ct);
        if (users == 0)
        {
            return 0;
        }

        await ExecuteAsync(connection, transaction, $"""
            insert into core.int_reopened_events ({EventColumns}, load_id, is_context, carried_session_number, carried_user_event_number)
            select
                {string.Join(", ", EventColumns.Split(',').Select(c => "materialised." + c.Trim()))},
                materialised.load_id,
                case when materialised.session_number < reopen_points.reopen_session_number then true else false end,
                case when materialised.session_number < reopen_points.reopen_session_number then materialised.session_number end,
                case when materialised.session_number < reopen_points.reopen_session_number then materialised.user_event_number end
            from core.fct_sessionized_events as materialised
            inner join reopen_points
                on reopen_points.source = materialised.source
                and reopen_points.user_id = materialised.user_id
            where materialised.session_number >= reopen_points.reopen_session_number
                or materialised.user_event_number = reopen_points.context_user_event_number
            """, ct);
        await ExecuteAsync(connection, transaction, """
            delete from core.fct_http_sessions
            using reopen_points
            where reopen_points.source = 'http_log'
                and reopen_points.user_id = fct_http_sessions.user_id
                and fct_http_sessions.session_number >= reopen_points.reopen_session_number
            """, ct);
        await ExecuteAsync(connection, transaction, """
            delete from core.fct_sessions
            using reopen_points
            where reopen_points.source = fct_sessions.source
                and reopen_points.user_id = fct_sessions.user_id
                and fct_sessions.session_number >= reopen_points.reopen_session_number
            """, ct);
        await ExecuteAsync(connection, transaction, """
            delete from core.fct_sessionized_events
            using reopen_points
            where reopen_points.source = fct_sessionized_events.source
                and reopen_points.user_id = fct_sessionized_events.user_id
                and fct_sessionized_events.session_number >= reopen_points.reopen_session_number
            """, ct);
        return users;
    }

    private sealed record SourceState(string Source, long LoadedThrough, int GapUsed, int GapSetting, long RefreshId);

    private static async Task<Dictionary<string, SourceState>> ReadStateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select refresh_state.source, refresh_state.loaded_through_load_id, refresh_state.session_gap_seconds,
                session_gap_settings.gap_seconds, refresh_state.refresh_id
            from core.refresh_state
            inner join core.session_gap_settings
                on session_gap_settings.source = refresh_state.source
            """, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var state = new Dictionary<string, SourceState>();
        while (await reader.ReadAsync(ct))
        {
            state[reader.GetString(0)] = new SourceState(reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4));
        }
        if (state.Count == 0)
        {
            throw new WarehouseException("core.refresh_state is empty: run ./warehouse migrate first");
        }
        return state;
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}
