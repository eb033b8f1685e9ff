namespace Warehouse.Api;

/// <summary>What the API needs to know, bound from the configuration section <c>Warehouse</c>.</summary>
public sealed class ApiSettings
{
    public const string Section = "Warehouse";

    /// <summary>Connection string of the read-only <c>warehouse_api</c> role; never logged or returned.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The migrations folder, to tell whether the database is current (GET /health).</summary>
    public string MigrationsDirectory { get; set; } = "";

    public string Target { get; set; } = "postgres";
}
