using Microsoft.Extensions.Options;
using Warehouse.Core;
using Warehouse.Core.Migrations;

namespace Warehouse.Api;

public sealed record HealthReport(string Status, int AppliedMigrations);

/// <summary>The migrations that keep the database from being current (anything but applied), by state.</summary>
public sealed record MigrationProblem(string State, string Script);

/// <summary>GET /health: the database answers the API role, and every migration on disk is applied unchanged.</summary>
public sealed class HealthCheck(MartQueries queries, IOptions<ApiSettings> settings)
{
    /// <summary>Null problems means healthy. Throws (and the caller answers 503) when the database cannot be reached.</summary>
    public async Task<(HealthReport Report, IReadOnlyList<MigrationProblem> Problems)> CheckAsync(CancellationToken ct)
    {
        await queries.PingAsync(ct);
        var options = new MigrationOptions { Directory = settings.Value.MigrationsDirectory, Target = settings.Value.Target };
        var statuses = await new MigrationRunner(settings.Value.ConnectionString, options).InfoAsync(ct);
        var problems = statuses
            .Where(s => s.State != MigrationState.Applied)
            .Select(s => new MigrationProblem(s.State.ToString().ToLowerInvariant(), s.FileName))
            .ToList();
        var applied = statuses.Count(s => s.State == MigrationState.Applied);
        return (new HealthReport(problems.Count == 0 ? "ok" : "migrations not current", applied), problems);
    }

    /// <summary>The runner's own check, for <c>warehouse serve</c> before it starts listening.</summary>
    public static async Task RequireCurrentAsync(string connectionString, MigrationOptions options, CancellationToken ct)
    {
        var statuses = await new MigrationRunner(connectionString, options).InfoAsync(ct);
        var problems = statuses.Where(s => s.State != MigrationState.Applied).ToList();
        if (problems.Count > 0)
        {
            var list = string.Join(", ", problems.Take(5).Select(p => $"{p.FileName} ({p.State.ToString().ToLowerInvariant()})"));
            throw new WarehouseException(
                $"the database is not current: {list}{(problems.Count > 5 ? $" and {problems.Count - 5} more" : "")}; run `warehouse migrate` first");
        }
    }
}
