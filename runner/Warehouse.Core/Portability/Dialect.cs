using Npgsql;
using Warehouse.Core.Migrations;

namespace Warehouse.Core.Portability;

/// <summary>
/// What differs between the two targets the migrations run on, kept in one place.
///
/// Design: a dialect difference takes one of two shapes, and only two.
/// <list type="number">
/// <item>A single token that differs (a function name, a keyword): a <c>${variable}</c> below, resolved by the migration
/// runner before a script runs. Values never contain a line break, so line numbers in errors and in the lint stay
/// those of the file.</item>
/// <item>One expression that differs in shape, such as building an ordered list: PostgreSQL writes
/// <c>array_remove(array_agg(id order by n), null)</c>, Redshift <c>listagg(id, ',') within group (order by n)</c>.
/// That is a variable with arguments, <c>${ordered_list(id, n)}</c>, whose value here is a template; the script
/// itself stays one file for both targets, so no SQL is copied between dialects.</item>
/// <item>What cannot be an expression (table options such as DISTKEY/SORTKEY, Redshift's BIGINT landing of Avro
/// timestamps) lives in a <c>.redshift.sql</c> variant of the one versioned script that needs it; the runner picks the
/// variant for its target and the portability lint checks the file that target runs.</item>
/// </list>
/// </summary>
public sealed class Dialect
{
    public static readonly Dialect Postgres = new("postgres", new Dictionary<string, string>
    {
        // When the current transaction started (now() on PostgreSQL; NOW() is a deprecated leader-node function on Redshift).
        ["now"] = "transaction_timestamp()",
        // An ordered list of distinct ids without the null entry of a group that has none: varchar[] here.
        ["ordered_list"] = "array_remove(array_agg({0} order by {1}), null)",
        // The list of a group without any id.
        ["empty_list"] = "cast(array[] as varchar(256)[])",
        // The type of such a list, as core.fct_http_sessions declares it.
        ["list_type"] = "varchar(256)[]",
        // A stable non-negative hash of a user id, for splitting a refresh into user buckets.
        ["user_hash"] = "(hashtext({0}) & 2147483647)",
        // A setting the refresher gives one bucket's connection (set local warehouse.refresh_x), null when not set.
        ["refresh_setting"] = "nullif(current_setting('warehouse.refresh_{0}', true), '')",
    });

    public static readonly Dialect Redshift = new("redshift", new Dictionary<string, string>
    {
        // SYSDATE: "the date and time in the current session time zone ... for the start of the current transaction".
        // https://docs.aws.amazon.com/redshift/latest/dg/r_SYSDATE.html
        ["now"] = "sysdate",
        // Redshift has no arrays (https://docs.aws.amazon.com/redshift/latest/dg/c_unsupported-postgresql-functions.html):
        // a comma-separated VARCHAR, empty when none (https://docs.aws.amazon.com/redshift/latest/dg/r_LISTAGG.html; it
        // skips nulls). Campaign and reward ids are path segments of /campaigns/{id} and /rewards/{id}: never a comma.
        ["ordered_list"] = "coalesce(listagg({0}, ',') within group (order by {1}), '')",
        ["empty_list"] = "''",
        ["list_type"] = "varchar(65535)",
        // FNV_HASH: https://docs.aws.amazon.com/redshift/latest/dg/r_FNV_HASH.html. Redshift runs every bucket in one
        // statement (bucket_count stays 1), so the hash never decides anything there; it keeps the model the same.
        ["user_hash"] = "(fnv_hash({0}) & 2147483647)",
        // Redshift has no custom session settings: a refresh there runs in one transaction and sets none.
        ["refresh_setting"] = "/* warehouse.refresh_{0} */ cast(null as varchar(32))",
    });

    private Dialect(string name, IReadOnlyDictionary<string, string> variables)
    {
        Name = name;
        Variables = new Dictionary<string, string>(ModelVariables.All.Concat(variables), StringComparer.Ordinal);
    }

    /// <summary>The target name as given to <c>--target</c> and used in variant file names.</summary>
    public string Name { get; }

    /// <summary>The <c>${name}</c> values every script of this target can use: the dialect's and <see cref="ModelVariables"/>.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    public bool IsRedshift => ReferenceEquals(this, Redshift);

    public static Dialect For(string target) => target switch
    {
        "postgres" => Postgres,
        "redshift" => Redshift,
        _ => throw new WarehouseException($"unknown target '{target}' (expected postgres or redshift)"),
    };

    /// <summary>
    /// The dialect's variables overlaid with the caller's own (the caller wins, so a test or a deployment can override one).
    /// </summary>
    public IReadOnlyDictionary<string, string> VariablesWith(IReadOnlyDictionary<string, string> overrides)
    {
        var merged = new Dictionary<string, string>(Variables, StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
        {
            merged[name] = value;
        }
        return merged;
    }

    /// <summary>
    /// Redshift speaks the PostgreSQL protocol but lacks PostgreSQL's type catalogue: Npgsql must not load types from it
    /// and uses its built-in mappings instead. Npgsql 10 still honours the connection-string keyword (the typed property
    /// is marked obsolete in favour of a data source builder, which <see cref="Database.Connections"/> does not use).
    /// </summary>
    public string ConnectionString(string connectionString)
    {
        if (!IsRedshift)
        {
            return connectionString;
        }
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder["Server Compatibility Mode"] = "NoTypeLoading";
        return builder.ConnectionString;
    }

    /// <summary>
    /// Whether the current user may create and alter roles, as a query (the migration privilege check asks before any
    /// script runs). PostgreSQL: CREATEROLE or superuser. Redshift: CREATE USER needs a superuser
    /// (https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_USER.html).
    /// </summary>
    public string CanManageRolesSql => IsRedshift
        ? "select usesuper from pg_user where usename = current_user"
        : "select rolsuper or rolcreaterole from pg_roles where rolname = current_user";

    /// <summary>How concurrent migration runners are kept apart: advisory locks here, a lock table on Redshift.</summary>
    public IMigrationLock MigrationLock() => IsRedshift ? new LockTableMigrationLock() : new AdvisoryMigrationLock();
}
