using Npgsql;
using Warehouse.Core.Database;

namespace Warehouse.Core.Refresh;

/// <summary>
/// Brings the derived layers up to date after loads: writes session thresholds and refreshes the planner's
/// statistics on staging so the sessionization views get good plans.
/// </summary>
public sealed class Refresher(string connectionString)
{
    private static readonly string[] StagingTables =
        ["staging.http_log", "staging.webshop_events", "staging.device_events", "staging.clickstream", "staging.campaign_reward_mapping"];

    public async Task RefreshAsync(IReadOnlyList<(string Source, int Seconds)> sessionGaps, CancellationToken ct = default)
    {
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await SessionGaps.ApplyAsync(connection, transaction, sessionGaps, ct);
            await transaction.CommitAsync(ct);
        }
        foreach (var table in StagingTables)
        {
            await using var analyze = new NpgsqlCommand($"analyze {table}", connection);
            await analyze.ExecuteNonQueryAsync(ct);
        }
    }
}
