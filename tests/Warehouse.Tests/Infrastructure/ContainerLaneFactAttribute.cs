namespace Warehouse.Tests.Infrastructure;

/// <summary>
/// A test that starts a PostgreSQL container of its own: skipped, saying why, where the container lane cannot run (no
/// Docker engine, or no image at hand), so such a machine still runs every other test.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContainerLaneFactAttribute : FactAttribute
{
    public ContainerLaneFactAttribute()
    {
        if (PostgresContainerLane.UnavailableReason is { } reason)
        {
            Skip = $"needs the container lane: {reason}";
        }
    }
}
