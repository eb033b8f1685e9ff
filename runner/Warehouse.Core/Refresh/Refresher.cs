using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Core.Load;
using Warehouse.Core.Migrations;

namespace Warehouse.Core.Refresh;

public sealed record RefreshOptions
{
    /// <summary>Thresholds to write into <c>core.session_gap_settings</c> first (<c>--session-gap SOURCE=SECONDS</c>).</summary>
    public IReadOnlyList<(string Source, int Seconds)> SessionGaps { get; init; } = [];

    /// <summary>Rebuild everything from staging instead of taking in only what was loaded since the last refresh.</summary>
    public bool Full { get; init; }

    /// <summary>
    /// Connections that build user buckets at once in a full refresh (<c>--jobs</c>); 1 builds them one after another.
    /// </summary>
    public int Jobs { get; init; } = DefaultJobs;

    /// <summary>User buckets a full refresh splits the work into; 0 chooses from <see cref="Jobs"/>.</summary>
    public int Buckets { get; init; }

    /// <summary>
    /// Told the name of each step as it starts (the names <see cref="RefreshResult.Steps"/> lists), so a caller can show
    /// progress: a full refresh of millions of events runs for minutes.
    /// </summary>
    public IProgress<string>? Progress { get; init; }

    /// <summary>
    /// Called with a bucket's number once its rows are written, just before its transaction commits (tests use it to
    /// make one bucket fail); an exception fails the refresh like any other error.
    /// </summary>
    public Func<int, CancellationToken, Task>? BeforeBucketCommit { get; init; }

    /// <summary>The machine's cores: one job per core (at most <see cref="MaxJobs"/>).</summary>
    public static int DefaultJobs => Math.Min(Environment.ProcessorCount, MaxJobs);

    /// <summary>
    /// Each job is a server connection, and every bucket adds partitions that the publish locks in one transaction
    /// (PostgreSQL's shared lock table holds max_locks_per_transaction x max_connections: 6,400 by default).
    /// </summary>
    public const int MaxJobs = 64;
    public const int MaxBuckets = 64;

    /// <summary>Buckets used for a number of jobs: one per job.</summary>
    public static int BucketsFor(int jobs) => jobs;
}

/// <summary>What a refresh did, with the time of each step.</summary>
/// <param name="Full">Everything was rebuilt from staging (asked for, nothing was materialised yet, a threshold or the mapping changed).</param>
/// <param name="RebuiltSources">Why an incremental refresh became a full one: sources whose threshold changed, http_log after a new mapping, or access_log after a late robots.txt visitor (core.int_access_log_late_robots).</param>
/// <param name="UsersReopened">Users whose sessions were rebuilt from a reopened session onward.</param>
/// <param name="EventsWritten">Rows written into <c>core.fct_sessionized_events</c>.</param>
/// <param name="SessionsWritten">Rows written into <c>core.fct_sessions</c>.</param>
/// <param name="LoadedThrough">The last load id the materialised tables now include.</param>
/// <param name="Buckets">User buckets the work was split into (1 for an incremental refresh).</param>
/// <param name="Jobs">Connections that built buckets at once.</param>
/// <param name="BucketSteps">Each bucket's steps and their times (a full refresh on PostgreSQL).</param>
public sealed record RefreshResult(bool Full, IReadOnlyList<string> RebuiltSources, long UsersReopened, long EventsWritten,
    long SessionsWritten, long LoadedThrough, IReadOnlyList<(string Step, TimeSpan Elapsed)> Steps)
{
    public int Buckets { get; init; } = 1;
    public int Jobs { get; init; } = 1;
    public IReadOnlyList<(int Bucket, string Step, TimeSpan Elapsed)> BucketSteps { get; init; } = [];
}

/// <summary>
/// Brings the materialised sessions and marts up to date with staging. Readers see the previous refresh or this one,
/// never a mix and never an empty table.
///
/// The rules are SQL models (core.int_events_sessionized, core.int_sessions_aggregated,
/// core.int_http_sessions_summarized, and per session the campaign marts' core.int_campaign_rewards_attributed and
/// core.int_campaign_views_summarized); each writes into its "this run" table (core.fct_*_this_run), which the next model
/// reads. What a statement builds is core.int_refresh_scope: its bucket of users, the refresh id, whether everything is
/// rebuilt. This class only runs the models in order and moves their rows into the live tables.
///
/// Full (asked for, nothing materialised yet, a session threshold or the campaign mapping changed): the users are split
/// into buckets by a hash of user_id, and each bucket runs all the models in one transaction of its own, on up to
/// <see cref="RefreshOptions.Jobs"/> connections at once, every one reading the same snapshot of staging. Each bucket
/// writes into its own partition of the this_run tables; when all have committed, one short transaction moves those
/// partitions into the live tables in place of the old ones. A failed bucket publishes nothing.
///
/// Incremental (the default once something is materialised), in ONE transaction: only staging rows loaded after the
/// last refresh (<c>load_id</c> above <c>core.refresh_state.loaded_through_load_id</c>) are taken in. For each user with
/// new events, the materialised rows are rebuilt from the start of the session holding the user's last event strictly
/// before the earliest new event (or from the first session when there is none): a late event can merge that session
/// with the next or split it, never change an earlier one. The rebuilt events go back through the same model with the
/// event just before them as context, so numbering continues; their rows replace the reopened ones in the live tables.
///
/// On Redshift every refresh takes the one-transaction path (a full one empties the live tables first): there one
/// statement covers every bucket, since the engine spreads the work over its slices itself.
/// </summary>
public sealed class Refresher(string connectionString)
{
    /// <summary>
    /// The extra connections of a full refresh (one per job, plus a few short ones) close when they are done instead of
    /// idling in the pool: a server that serves many databases would otherwise keep jobs + 2 idle sessions per database.
    /// </summary>
    private readonly string _unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    /// <summary>
    /// Memory settings of each model, per connection (PostgreSQL only: Redshift's memory comes from its WLM queue). Each
    /// is a limit, not an allocation: a step takes what its rows need, and more data spills to disk.
    /// - Sorts run with 64 MB: PostgreSQL then sorts cache-sized runs and merges them, which measured faster than one
    ///   quicksort of everything in memory (docs/performance.md).
    /// - The session aggregate hashes in memory, under a 4 GB limit (1 GB times 4) that it never comes near: the planner
    ///   sizes hash entries from the declared varchar widths, several times the real rows, and below that limit it spilled
    ///   to disk with a fraction of it in use (docs/performance.md, "Server memory").
    /// - The HTTP summary groups millions of nearly unique (session, campaign) pairs and then groups those by session:
    ///   one sort serves both groupings, where the planner, sizing hash tables from declared widths, would hash.
    /// </summary>
    private const string SortSettings = "set local work_mem = '64MB'; set local hash_mem_multiplier = 2; set local enable_hashagg = on";
    private const string HashSettings = "set local work_mem = '1GB'; set local hash_mem_multiplier = 4; set local enable_hashagg = on";
    private const string SortOnlySettings = "set local work_mem = '64MB'; set local hash_mem_multiplier = 2; set local enable_hashagg = off";

    /// <summary>
    /// The statistics target of the refresh's own ANALYZEs, set on their connections: samples of 3,000 rows instead of
    /// PostgreSQL's 30,000 plan these tables as well (row counts, a few common values) and cost far less to take.
    /// </summary>
    private const string StatisticsSettings = "set default_statistics_target = 10";

    private static readonly string[] StagingTables =
        [.. Sources.All.Select(s => s.StagingTable), $"staging.{StagingLoader.MappingSource}"];

    /// <summary>The materialised tables, in build order; each has a <c>_this_run</c> twin its model writes into.</summary>
    private static readonly string[] MaterialisedTables =
        ["fct_sessionized_events", "fct_sessions", "fct_http_sessions", "fct_campaign_reward_attribution", "fct_campaign_session_views"];

    /// <summary>
    /// The materialised daily marts and their rule models (columns in the same order). They aggregate every user's
    /// sessions (distinct users, medians), so they are built after the sessions, never per bucket. A mart with a
    /// <c>Split</c> is built in parts, one per row of that query, each its own job: its rule groups by that column, so
    /// each part is the rule's rows of one value of it.
    /// </summary>
    private static readonly (string Table, string Model, string Columns, (string Column, string Values)? Split)[] DailyMarts =
    [
        ("fct_daily_sessions", "core.int_daily_sessions", "source, session_date, sessions, users, events, median_duration_seconds", null),
        ("fct_daily_sessions_by_key", "core.int_daily_sessions_by_key",
            "session_date, source, group_key, group_value, sessions, users, events, median_duration_seconds",
            ("group_key", "select group_key from core.int_group_keys")),
    ];

    // What the rules read of an event (the sessionize sort carries nothing else; V0070).
    private const string EventColumns = ModelVariables.EventColumns;

    // core.int_events_sessionized's columns but is_context; session_id, seconds_since_previous_event and
    // session_gap_seconds are derived where they are read (V0063).
    private const string SessionizedColumns = EventColumns + """
        , user_event_number, previous_event_at, is_new_session, session_number, load_id, refresh_id, user_bucket
        """;

    private const string SessionColumns = """
        source, user_id, session_id, session_number, session_start, session_end, event_count, duration_seconds,
        browser_family, os_family, device_family, has_placed_order, refresh_id, user_bucket
        """;

    private const string HttpSessionColumns = """
        session_id, user_id, session_number, session_start, session_end, campaigns, rewards_issued,
        reward_driven_by_campaign_view, refresh_id, user_bucket
        """;

    private const string RewardAttributionColumns = """
        user_id, session_number, reward_id, issued_at, campaign_id, campaign_viewed_at, claiming_campaigns, user_event_number,
        refresh_id, user_bucket
        """;

    private const string CampaignSessionViewColumns = """
        user_id, session_number, campaign_id, view_date, views, rewards_issued, refresh_id, user_bucket
        """;

    /// <summary>
    /// The models, in order: each step's name, the this_run table it writes, the model it selects from and the memory
    /// settings it runs with.
    /// </summary>
    private static readonly (string Step, string Table, string Columns, string Model, string Settings)[] Models =
    [
        ("sessionize events", "fct_sessionized_events", SessionizedColumns, "core.int_events_sessionized where not is_context", SortSettings),
        ("aggregate sessions", "fct_sessions", SessionColumns, "core.int_sessions_aggregated", HashSettings),
        ("summarize http sessions", "fct_http_sessions", HttpSessionColumns, "core.int_http_sessions_summarized", SortOnlySettings),
        ("attribute campaign rewards", "fct_campaign_reward_attribution", RewardAttributionColumns, "core.int_campaign_rewards_attributed", SortSettings),
        ("summarize campaign views", "fct_campaign_session_views", CampaignSessionViewColumns, "core.int_campaign_views_summarized", SortSettings),
    ];

    public Task<RefreshResult> RefreshAsync(IReadOnlyList<(string Source, int Seconds)> sessionGaps, CancellationToken ct = default) =>
        RefreshAsync(new RefreshOptions { SessionGaps = sessionGaps }, ct);

    public async Task<RefreshResult> RefreshAsync(RefreshOptions options, CancellationToken ct = default)
    {
        if (options.Jobs is < 1 or > RefreshOptions.MaxJobs)
        {
            throw new WarehouseException($"--jobs must be between 1 and {RefreshOptions.MaxJobs}, got {options.Jobs}");
        }
        if (options.Buckets is < 0 or > RefreshOptions.MaxBuckets)
        {
            throw new WarehouseException($"--buckets must be between 1 and {RefreshOptions.MaxBuckets}, got {options.Buckets}");
        }
        var steps = new StepClock(options.Progress);
        await using var connection = await Connections.OpenAsync(connectionString, ct);

        // Written before the refresh's transaction: the bucket connections read the settings from its snapshot. A refresh
        // that then fails leaves the new threshold recorded and the old sessions in place, so the next one rebuilds.
        if (options.SessionGaps.Count > 0)
        {
            await SessionGaps.ApplyAsync(connection, null, options.SessionGaps, ct);
        }

        // Repeatable read: every statement, and every bucket connection that imports this snapshot, sees the same staging
        // rows, so the load id recorded at the end is exactly what was taken in even while a load commits meanwhile. The
        // lock comes first, before the snapshot is taken, and makes a second refresh wait for this one.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await LockRefreshStateAsync(connection, transaction, steps, ct);
        var onPostgres = !((string)(await new NpgsqlCommand("select version()", connection, transaction).ExecuteScalarAsync(ct))!)
            .Contains("Redshift", StringComparison.OrdinalIgnoreCase);

        var state = await ReadStateAsync(connection, transaction, ct);
        var loadedThrough = await ScalarAsync(connection, transaction, "select coalesce(max(load_id), 0) from staging.loaded_files", ct);
        var refreshId = state.Values.Max(s => s.RefreshId) + 1;
        var rebuilt = state.Values.Where(s => s.LoadedThrough >= 0 && s.GapUsed != s.GapSetting).Select(s => s.Source).ToList();
        var httpLoadedThrough = state.TryGetValue(Sources.HttpLog.Name, out var http) ? http.LoadedThrough : -1;
        var newMapping = await ScalarAsync(connection, transaction,
            $"select count(*) from staging.loaded_files where source = '{StagingLoader.MappingSource}' and coalesce(load_id, 0) > {httpLoadedThrough}", ct);
        if (httpLoadedThrough >= 0 && newMapping > 0 && !rebuilt.Contains(Sources.HttpLog.Name))
        {
            // reward_driven_by_campaign_view of any session may change with the mapping
            rebuilt.Add(Sources.HttpLog.Name);
        }
        var accessLogLoadedThrough = state.TryGetValue(Sources.AccessLog.Name, out var accessLog) ? accessLog.LoadedThrough : -1;
        if (accessLogLoadedThrough >= 0 && !rebuilt.Contains(Sources.AccessLog.Name)
            && await ScalarAsync(connection, transaction, "select count(*) from core.int_access_log_late_robots", ct) > 0)
        {
            // a robots.txt fetch turns the visitor's earlier, already sessionized requests into a bot's
            rebuilt.Add(Sources.AccessLog.Name);
        }
        // A changed threshold, mapping or late robots.txt visitor rebuilds everything: a full refresh runs on every core, so it is the fastest
        // way to rebuild even one source.
        var full = options.Full || rebuilt.Count > 0 || state.Values.Any(s => s.LoadedThrough < 0);

        if (full)
        {
            // Fresh planner statistics on staging: a full build is planned from them. An incremental refresh reads few
            // rows and leaves the statistics to autovacuum.
            steps.Begin("analyze staging");
            foreach (var table in StagingTables)
            {
                await ExecuteAsync(connection, transaction, $"analyze {table}", ct);
            }
            steps.End();
        }

        RefreshResult result;
        if (full && onPostgres)
        {
            var buckets = options.Buckets > 0 ? options.Buckets : RefreshOptions.BucketsFor(options.Jobs);
            var (built, jobs) = await BuildInBucketsAsync(connection, transaction, refreshId, loadedThrough, buckets, options, steps, ct);
            result = new RefreshResult(true, rebuilt, 0, built.Sum(b => b.Rows[0]), built.Sum(b => b.Rows[1]), loadedThrough, steps.Steps)
            {
                Buckets = buckets,
                Jobs = jobs,
                BucketSteps = built.SelectMany(b => b.Times.Select(t => (b.Bucket, t.Step, t.Elapsed))).OrderBy(t => t.Bucket).ToList(),
            };
        }
        else
        {
            var (users, events, sessions) = await RefreshInOneTransactionAsync(connection, transaction, full, refreshId, loadedThrough, onPostgres, steps, ct);
            result = new RefreshResult(full, rebuilt, users, events, sessions, loadedThrough, steps.Steps);
        }
        return result;
    }

    /// <summary>
    /// Takes the refresh lock: a second refresh waits for the first to finish (a step of its own, so it is shown and
    /// timed), and then finds little or nothing left to do.
    /// </summary>
    private static async Task LockRefreshStateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StepClock steps,
        CancellationToken ct)
    {
        if (!await TryLockAsync(connection, transaction, "lock table core.refresh_state in exclusive mode nowait", ct))
        {
            steps.Begin("wait for another refresh");
            await ExecuteAsync(connection, transaction, "lock table core.refresh_state in exclusive mode", ct);
            steps.End();
        }
    }

    /// <summary>
    /// Runs a LOCK statement that may fail with lock_not_available (NOWAIT, or a lock_timeout it sets), in a savepoint:
    /// on failure the transaction goes back to the savepoint and out of it (letting go of whatever the statement had
    /// locked; a snapshot cannot be exported from inside a subtransaction) and the answer is false.
    /// </summary>
    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await transaction.SaveAsync("try_lock", ct);
        try
        {
            await ExecuteAsync(connection, transaction, sql, ct);
            await transaction.ReleaseAsync("try_lock", ct);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await transaction.RollbackAsync("try_lock", ct);
            await transaction.ReleaseAsync("try_lock", ct);
            return false;
        }
    }

    /// <summary>
    /// A full refresh on PostgreSQL: one transaction per bucket of users, up to <see cref="RefreshOptions.Jobs"/> at once,
    /// all reading the coordinating transaction's snapshot; then one short transaction publishes their partitions.
    /// </summary>
    private async Task<(List<BuiltBucket> Built, int Jobs)> BuildInBucketsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        long refreshId, long loadedThrough, int buckets, RefreshOptions options, StepClock steps, CancellationToken ct)
    {
        var snapshot = (string)(await new NpgsqlCommand("select pg_export_snapshot()", connection, transaction).ExecuteScalarAsync(ct))!;

        // Each bucket gets a partition of each this_run table, itself partitioned, into which the bucket's connection
        // attaches the table it creates with its rows (below). They must be committed before the bucket connections can
        // use them, so they are made on a connection of their own; the refresh lock held above keeps any other refresh
        // away from them.
        steps.Begin($"prepare {buckets} buckets");
        var notNullColumns = new Dictionary<string, List<string>>();
        var indexes = new Dictionary<string, List<string>>();
        await using (var prepare = await Connections.OpenAsync(_unpooled, ct))
        {
            await DropThisRunPartitionsAsync(prepare, null, ct);
            foreach (var table in MaterialisedTables)
            {
                var ddl = string.Join('\n', Enumerable.Range(0, buckets).Select(b =>
                    $"create table core.{table}_this_run_b{b} partition of core.{table}_this_run " +
                    $"(constraint bucket check (user_bucket = {b})) for values in ({b}) partition by list (user_bucket);"));
                await ExecuteAsync(prepare, null, $"truncate core.{table}_this_run;\n{ddl}", ct);
                notNullColumns[table] = await NotNullColumnsAsync(prepare, $"core.{table}", ct);
                indexes[table] = await IndexesAsync(prepare, $"core.{table}_this_run", ct);
            }
        }
        steps.End();

        // each job is a connection of its own: never more than the server has free (with one to spare)
        var free = await ScalarAsync(connection, transaction, """
            select cast(current_setting('max_connections') as integer)
                - cast(current_setting('superuser_reserved_connections') as integer)
                - (select count(*) from pg_stat_activity where backend_type = 'client backend')
            """, ct);
        var jobs = (int)Math.Max(1, Math.Min(Math.Min(options.Jobs, buckets), free - 1));
        var label = $"build {buckets} bucket{(buckets == 1 ? "" : "s")} on {jobs} job{(jobs == 1 ? "" : "s")}";
        steps.Begin(label);
        var built = new List<BuiltBucket>();
        try
        {
            // each job's connection builds bucket after bucket, each in a transaction of its own
            await OnJobConnectionsAsync(Enumerable.Range(0, buckets).ToList(), jobs, StatisticsSettings,
                async (job, bucket, jobCt) =>
                {
                    BuiltBucket result;
                    try
                    {
                        result = await BuildBucketAsync(job, bucket, buckets, refreshId, snapshot, notNullColumns, indexes, options, jobCt);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        throw new WarehouseException($"bucket {bucket} of {buckets}: {Describe(e)}", e);
                    }
                    lock (built)
                    {
                        built.Add(result);
                        options.Progress?.Report($"{label}: {built.Count}/{buckets} done");
                    }
                }, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // one bucket failed and the others were cancelled: nothing is published
            throw new WarehouseException(
                $"refresh failed, nothing was published (readers still see the previous refresh): {Describe(e)}", e);
        }
        steps.End();

        steps.Begin("aggregate days");
        await BuildDailyMartsAsync(jobs, ct);
        steps.End();

        steps.Begin("publish");
        await LockLiveTablesAsync(connection, transaction, options.Progress, ct);
        await PublishAsync(connection, transaction, refreshId, loadedThrough, buckets, ct);
        // the buckets committed before, so this commit's flush makes them durable too
        await Connections.CommitDurablyAsync(transaction, ct);
        steps.End();

        // Planner statistics of the live tables as a whole (each partition got its own in its bucket's transaction), for
        // queries that join them; this also tells autovacuum the new partitions need no analysis of their own (their
        // inserts were counted at commit, after the bucket's analysis). After the commit: readers already see the rows.
        steps.Begin("analyze");
        await OnJobConnectionsAsync(MaterialisedTables, jobs, StatisticsSettings,
            (analyze, table, analyzeCt) => ExecuteAsync(analyze, null, $"analyze core.{table}", analyzeCt), ct);
        steps.End();
        return (built, jobs);
    }

    /// <summary>
    /// A full refresh's daily marts, from the sessions its buckets committed (core.int_sessions_refreshed reads the
    /// this_run tables when warehouse.refresh_full is on and no bucket is set), into a table per mart that the publish
    /// swaps in as the mart table's only partition. On connections of their own: the coordinating transaction's snapshot
    /// predates the buckets' rows. The parts (a mart, or one value of a split mart's column) only read the sessions and
    /// write rows of their own, so they run at once on up to <paramref name="jobs"/> connections, each part's sorts a
    /// fraction of the whole mart's.
    /// </summary>
    private async Task BuildDailyMartsAsync(int jobs, CancellationToken ct)
    {
        var parts = new List<string>();
        await using var prepare = await Connections.OpenAsync(_unpooled, ct);
        await ExecuteAsync(prepare, null, "set warehouse.refresh_full = 'on'", ct);
        foreach (var (table, model, columns, split) in DailyMarts)
        {
            var notNull = await NotNullColumnsAsync(prepare, $"core.{table}", ct);
            await ExecuteAsync(prepare, null, $"""
                drop table if exists core.{table}_next;
                create table core.{table}_next as select {columns} from {model} with no data;
                alter table core.{table}_next {string.Join(", ", notNull.Select(c => $"alter column {c} set not null"))};
                """, ct);
            var insert = $"insert into core.{table}_next ({columns}) select {columns} from {model}";
            if (split is var (column, values))
            {
                foreach (var value in await NamesAsync(prepare, null, values, "", ct))
                {
                    parts.Add($"{insert} where {column} = '{value.Replace("'", "''", StringComparison.Ordinal)}'");
                }
            }
            else
            {
                parts.Add(insert);
            }
        }
        await OnJobConnectionsAsync(parts, jobs, $"set warehouse.refresh_full = 'on'; {HashSettings.Replace("set local", "set", StringComparison.Ordinal)}",
            (daily, part, partCt) => ExecuteAsync(daily, null, part, partCt), ct);
        await ExecuteAsync(prepare, null, $"{StatisticsSettings}; " +
            string.Join("; ", DailyMarts.Select(d => $"analyze core.{d.Table}_next")), ct);
    }

    /// <summary>
    /// Runs <paramref name="work"/> for every item on up to <paramref name="jobs"/> connections of their own, each set up
    /// once with <paramref name="setup"/> and taking the next item when it is done with one: a connection per job, not
    /// per item, since a new connection costs more than a small item's work. An item that fails cancels the others, and
    /// its exception is the one thrown, not the cancellations it caused; a cancelled <paramref name="ct"/> throws as such.
    /// </summary>
    private async Task OnJobConnectionsAsync<T>(IReadOnlyList<T> items, int jobs, string setup,
        Func<NpgsqlConnection, T, CancellationToken, Task> work, CancellationToken ct)
    {
        var next = -1;
        var connections = Enumerable.Range(0, Math.Min(jobs, items.Count));
        var running = Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = ct }, async (_, jobCt) =>
        {
            await using var connection = await Connections.OpenAsync(_unpooled, jobCt);
            await ExecuteAsync(connection, null, setup, jobCt);
            for (var i = Interlocked.Increment(ref next); i < items.Count; i = Interlocked.Increment(ref next))
            {
                await work(connection, items[i], jobCt);
            }
        });
        try
        {
            await running;
        }
        catch when (running.Exception is { } failed)
        {
            // the item that failed first, not the cancellations it caused in the other jobs
            ExceptionDispatchInfo.Throw(failed.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? failed.InnerException!);
        }
    }

    /// <summary>One line for what went wrong in a bucket's connection.</summary>
    private static string Describe(Exception e) => e switch
    {
        WarehouseException w => w.Message,
        PostgresException pg => pg.MessageText,
        NpgsqlException npgsql => $"lost the connection to the database ({npgsql.InnerException?.Message ?? npgsql.Message})",
        _ => e.Message,
    };

    private sealed record BuiltBucket(int Bucket, List<(string Step, TimeSpan Elapsed)> Times, List<long> Rows);

    /// <summary>
    /// One bucket on a job's connection: the models into this bucket's partitions of the this_run tables, in one
    /// transaction.
    /// </summary>
    private static async Task<BuiltBucket> BuildBucketAsync(NpgsqlConnection connection, int bucket, int buckets, long refreshId,
        string snapshot, Dictionary<string, List<string>> notNullColumns, Dictionary<string, List<string>> indexes,
        RefreshOptions options, CancellationToken ct)
    {
        // named in pg_stat_activity, so an operator (or a test) can tell the buckets apart (set anew for each bucket)
        await ExecuteAsync(connection, null, $"set application_name = 'warehouse refresh bucket {bucket}'", ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await ExecuteAsync(connection, transaction, $"set transaction snapshot '{snapshot}'", ct);
        // What core.int_refresh_scope tells the models: this bucket of all of them, in a rebuild of everything.
        await ExecuteAsync(connection, transaction, $"""
            set local warehouse.refresh_id = '{refreshId}';
            set local warehouse.refresh_bucket_count = '{buckets}';
            set local warehouse.refresh_bucket = '{bucket}';
            set local warehouse.refresh_full = 'on';
            """, ct);
        var times = new List<(string, TimeSpan)>();
        var rows = new List<long>();
        var watch = Stopwatch.StartNew();
        foreach (var (step, table, columns, model, settings) in Models)
        {
            // CREATE TABLE AS writes in bulk and, with the table new in this transaction, skips the WAL: much faster than
            // INSERT ... SELECT into a partition. The table then gets the parent's NOT NULLs and a check equal to
            // its partition bound (one pass over it), so attaching it scans nothing. No autovacuum for its inserts, now or
            // once published (only for what incremental refreshes delete): the refresh analyses it itself, and an
            // autovacuum busy on a partition makes a publish's DETACH wait a whole deadlock_timeout before cancelling it.
            var rowsTable = $"core.{table}_this_run_b{bucket}_rows";
            await ExecuteAsync(connection, transaction, settings, ct);
            rows.Add(await CreateTableAsAsync(connection, transaction, $"""
                create table {rowsTable} with (autovacuum_enabled = false, autovacuum_vacuum_insert_threshold = -1) as
                select {columns} from {model}
                """, ct));
            var constraints = notNullColumns[table].Select(c => $"alter column {c} set not null").Append($"add constraint bucket check (user_bucket = {bucket})");
            // The table's indexes (what a mart read filters on), built here in the bucket's transaction so that attaching
            // adopts them instead of building them. Named by refresh and bucket: PostgreSQL would name them after the
            // table, cut to 63 characters, and two buckets creating the same name at once fail.
            foreach (var (definition, i) in indexes[table].Select((d, i) => (d, i)))
            {
                await ExecuteAsync(connection, transaction, $"create index {table}_r{refreshId}_b{bucket}_i{i} on {rowsTable} {definition}", ct);
            }
            await ExecuteAsync(connection, transaction, $"""
                alter table {rowsTable} {string.Join(", ", constraints)};
                alter table core.{table}_this_run_b{bucket} attach partition {rowsTable} for values in ({bucket});
                """, ct);
            // the next model is planned from these statistics (without them the planner took millions of sessions for a
            // few rows and chose nested loops)
            await ExecuteAsync(connection, transaction, $"analyze {rowsTable}", ct);
            times.Add((step, watch.Elapsed));
            watch.Restart();
        }
        if (options.BeforeBucketCommit is { } hook)
        {
            await hook(bucket, ct);
        }
        await transaction.CommitAsync(ct);
        return new BuiltBucket(bucket, times, rows);
    }

    /// <summary>Runs one model: inserts its rows into its this_run table (with its memory settings on PostgreSQL).</summary>
    private static async Task<long> RunModelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string columns,
        string model, string? settings, CancellationToken ct)
    {
        if (settings is not null)
        {
            await ExecuteAsync(connection, transaction, settings, ct);
        }
        return await ExecuteAsync(connection, transaction, $"insert into core.{table}_this_run ({columns}) select {columns} from {model}", ct);
    }

    /// <summary>
    /// Takes the live tables for the publish, all in one step and without queueing for them: each attempt waits
    /// at most <see cref="PublishLockTimeout"/>, then lets go and tries again. A reader that reads two of them in one
    /// transaction therefore never deadlocks with the publish (it would hold one and wait for the other while the
    /// publish held the other and waited for it), and a long reader delays the publish, never the readers behind it.
    /// </summary>
    private static async Task LockLiveTablesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IProgress<string>? progress,
        CancellationToken ct)
    {
        var tables = string.Join(", ", MaterialisedTables.Concat(DailyMarts.Select(d => d.Table)).Select(t => $"core.{t}"));
        var lockAll = $"set local lock_timeout = '{PublishLockTimeout}'; lock table {tables} in access exclusive mode; set local lock_timeout = 0";
        for (var attempt = 1; !await TryLockAsync(connection, transaction, lockAll, ct); attempt++)
        {
            if (attempt == 3)
            {
                progress?.Report("publish: waiting for readers of the live tables to finish their transactions");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    /// <summary>How long the publish waits for the live tables in one attempt: below deadlock_timeout (1 s by default).</summary>
    private const string PublishLockTimeout = "250ms";

    /// <summary>
    /// Moves the buckets' partitions from the this_run tables into the live tables, in place of the old partitions, and
    /// records what the live tables now hold; in the coordinating transaction, so it commits as one. Attaching scans no
    /// rows: each partition carries a check constraint equal to its bound.
    /// </summary>
    private static async Task PublishAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long refreshId, long loadedThrough, int buckets, CancellationToken ct)
    {
        foreach (var table in MaterialisedTables)
        {
            foreach (var partition in await PartitionsAsync(connection, transaction, $"core.{table}", ct))
            {
                await ExecuteAsync(connection, transaction, $"alter table core.{table} detach partition core.{partition}; drop table core.{partition}", ct);
            }
            for (var b = 0; b < buckets; b++)
            {
                await ExecuteAsync(connection, transaction, $"""
                    alter table core.{table}_this_run detach partition core.{table}_this_run_b{b};
                    alter table core.{table}_this_run_b{b} rename to {table}_b{b};
                    alter table core.{table}_this_run_b{b}_rows rename to {table}_b{b}_rows;
                    alter table core.{table} attach partition core.{table}_b{b} for values in ({b});
                    alter table core.{table}_b{b}_rows reset (autovacuum_enabled);
                    """, ct);
            }
        }
        foreach (var (table, _, _, _) in DailyMarts)
        {
            await ExecuteAsync(connection, transaction, $"""
                alter table core.{table} detach partition core.{table}_all;
                drop table core.{table}_all;
                alter table core.{table}_next rename to {table}_all;
                alter table core.{table} attach partition core.{table}_all default;
                """, ct);
        }
        await ExecuteAsync(connection, transaction, $"""
            update core.refresh_state
            set
                loaded_through_load_id = {loadedThrough},
                session_gap_seconds = session_gap_settings.gap_seconds,
                refresh_id = {refreshId},
                bucket_count = {buckets},
                refreshed_at = statement_timestamp()
            from core.session_gap_settings
            where session_gap_settings.source = refresh_state.source
            """, ct);
    }

    /// <summary>
    /// An incremental refresh, and every refresh on Redshift: the models run once over every bucket into the this_run
    /// tables, whose rows then replace what they rebuilt in the live tables, all in the one transaction.
    /// </summary>
    private static async Task<(long Users, long Events, long Sessions)> RefreshInOneTransactionAsync(NpgsqlConnection connection,
        NpgsqlTransaction transaction, bool full, long refreshId, long loadedThrough, bool onPostgres, StepClock steps, CancellationToken ct)
    {
        if (onPostgres)
        {
            await DropThisRunPartitionsAsync(connection, transaction, ct);
        }
        await EmptyThisRunAsync(connection, transaction, onPostgres, ct);
        if (full)
        {
            // Redshift: every row is rebuilt. Emptied in this transaction, so readers wait for the commit instead of
            // seeing empty tables.
            steps.Begin("empty");
            await ExecuteAsync(connection, transaction, string.Join(";\n", MaterialisedTables.Select(t => $"delete from core.{t}")), ct);
            await ExecuteAsync(connection, transaction, "update core.refresh_state set loaded_through_load_id = -1", ct);
            steps.End();
        }
        await ExecuteAsync(connection, transaction, $"update core.refresh_state set refresh_id = {refreshId}", ct);

        long users = 0;
        if (!full)
        {
            steps.Begin("reopen affected sessions");
            users = await ReopenAsync(connection, transaction, ct);
            steps.End();
        }

        // No user has a new event: nothing to sessionize (only the load ids recorded below move on).
        var models = full || users > 0 ? Models : [];
        var written = new Dictionary<string, long>();
        foreach (var (step, table, columns, model, settings) in models)
        {
            steps.Begin(step);
            written[table] = await RunModelAsync(connection, transaction, table, columns, model, onPostgres ? settings : null, ct);
            if (table == "fct_sessionized_events")
            {
                await ExecuteAsync(connection, transaction, "delete from core.int_reopened_events", ct);
            }
            steps.End();
        }

        steps.Begin("write");
        foreach (var table in MaterialisedTables)
        {
            await ExecuteAsync(connection, transaction, $"insert into core.{table} select * from core.{table}_this_run", ct);
        }
        await EmptyThisRunAsync(connection, transaction, onPostgres, ct);
        await ExecuteAsync(connection, transaction, $"""
            update core.refresh_state
            set
                loaded_through_load_id = {loadedThrough},
                session_gap_seconds = session_gap_settings.gap_seconds,
                refreshed_at = statement_timestamp()
            from core.session_gap_settings
            where session_gap_settings.source = refresh_state.source
            """, ct);
        steps.End();

        // no new session, no changed day
        if (models.Length > 0)
        {
            steps.Begin("aggregate days");
            await WriteDailyMartsAsync(connection, transaction, full, refreshId, onPostgres, ct);
            steps.End();
        }

        steps.Begin("commit");
        if (onPostgres)
        {
            await Connections.CommitDurablyAsync(transaction, ct);
        }
        else
        {
            await transaction.CommitAsync(ct);
        }
        steps.End();
        return (users, written.GetValueOrDefault("fct_sessionized_events"), written.GetValueOrDefault("fct_sessions"));
    }

    /// <summary>
    /// The daily marts in the one-transaction path, from the live sessions as this refresh left them: all days when it
    /// rebuilt everything, else per source the days from the earliest one on which it wrote a session. A session it
    /// rewrote starts no earlier than the first session it wrote for the same user, so every day that lost or gained a
    /// session is among them.
    /// </summary>
    private static async Task WriteDailyMartsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, bool full, long refreshId,
        bool onPostgres, CancellationToken ct)
    {
        var filter = "";
        if (!full)
        {
            var firstDays = new List<string>();
            await using (var command = new NpgsqlCommand($"""
                select source, to_char(min(session_date), 'YYYY-MM-DD')
                from core.int_sessions_refreshed
                where refresh_id = {refreshId}
                group by source
                """, connection, transaction) { CommandTimeout = 0 })
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    firstDays.Add($"(source = '{reader.GetString(0).Replace("'", "''", StringComparison.Ordinal)}' and session_date >= date '{reader.GetString(1)}')");
                }
            }
            if (firstDays.Count == 0)
            {
                return;
            }
            filter = " where " + string.Join(" or ", firstDays);
        }
        if (onPostgres)
        {
            await ExecuteAsync(connection, transaction, HashSettings, ct);
        }
        foreach (var (table, model, columns, _) in DailyMarts)
        {
            await ExecuteAsync(connection, transaction, $"""
                delete from core.{table}{filter};
                insert into core.{table} ({columns}) select {columns} from {model}{filter};
                """, ct);
        }
    }

    /// <summary>Empties the this_run tables (Redshift's TRUNCATE would commit the transaction, so it deletes there).</summary>
    private static Task EmptyThisRunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, bool onPostgres, CancellationToken ct) =>
        ExecuteAsync(connection, transaction,
            string.Join(";\n", MaterialisedTables.Select(t => onPostgres ? $"truncate core.{t}_this_run" : $"delete from core.{t}_this_run")), ct);

    /// <summary>Drops the bucket partitions a failed or interrupted full refresh left in the this_run tables.</summary>
    private static async Task DropThisRunPartitionsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        foreach (var table in MaterialisedTables)
        {
            foreach (var partition in await PartitionsAsync(connection, transaction, $"core.{table}_this_run", ct))
            {
                if (partition != $"{table}_this_run_rest")
                {
                    await ExecuteAsync(connection, transaction, $"drop table core.{partition}", ct);
                }
            }
        }
    }

    /// <summary>The NOT NULL columns of a table (a table attached as its partition must have them too).</summary>
    private static Task<List<string>> NotNullColumnsAsync(NpgsqlConnection connection, string table, CancellationToken ct) =>
        NamesAsync(connection, null, """
            select attname
            from pg_attribute
            where attrelid = cast(@table as regclass)
                and attnum > 0
                and not attisdropped
                and attnotnull
            order by attnum
            """, table, ct);

    /// <summary>The indexes of a table, each as its method and columns (<c>using btree (campaign_id, issued_at)</c>).</summary>
    private static async Task<List<string>> IndexesAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        var definitions = await NamesAsync(connection, null, """
            select pg_get_indexdef(indexrelid)
            from pg_index
            where indrelid = cast(@table as regclass)
            order by indexrelid
            """, table, ct);
        return definitions.Select(d => d[d.IndexOf(" USING ", StringComparison.Ordinal)..].Trim()).ToList();
    }

    /// <summary>The partitions of a partitioned table, by name without schema.</summary>
    private static Task<List<string>> PartitionsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string table,
        CancellationToken ct) =>
        NamesAsync(connection, transaction, """
            select child.relname
            from pg_inherits
            inner join pg_class as child
                on child.oid = pg_inherits.inhrelid
            where pg_inherits.inhparent = cast(@table as regclass)
            order by child.relname
            """, table, ct);

    private static async Task<List<string>> NamesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, string table,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("table", table);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    /// <summary>
    /// For every user with new events in a source that has materialised rows: takes the first session a new event can
    /// change (core.int_reopen_points), moves that session and every later one (plus the event just before, as context)
    /// into <c>core.int_reopened_events</c>, and deletes them and what was built from them. Returns the number of users.
    /// </summary>
    private static async Task<long> ReopenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await ExecuteAsync(connection, transaction, "create temporary table reopen_points on commit drop as select * from core.int_reopen_points", ct);
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
        // the tables of HTTP-log sessions only, keyed by user and session number
        foreach (var table in new[] { "fct_campaign_reward_attribution", "fct_campaign_session_views", "fct_http_sessions" })
        {
            await ExecuteAsync(connection, transaction, $"""
                delete from core.{table}
                using reopen_points
                where reopen_points.source = 'http_log'
                    and reopen_points.user_id = {table}.user_id
                    and {table}.session_number >= reopen_points.reopen_session_number
                """, ct);
        }
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

    /// <summary>Runs a CREATE TABLE ... AS and returns the rows it wrote (ExecuteNonQuery counts none for it).</summary>
    private static async Task<long> CreateTableAsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
        var command = new NpgsqlBatchCommand(sql);
        batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync(ct);
        return (long)command.Rows;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>Times the steps one after another (each runs from the end of the one before, so they add up to the whole).</summary>
    private sealed class StepClock(IProgress<string>? progress)
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private string _current = "";
        public List<(string, TimeSpan)> Steps { get; } = [];

        public void Begin(string name)
        {
            _current = name;
            progress?.Report(name);
        }

        public void End()
        {
            Steps.Add((_current, _watch.Elapsed));
            _watch.Restart();
        }
    }
}
