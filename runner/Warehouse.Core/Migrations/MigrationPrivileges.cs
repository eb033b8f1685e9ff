using System.Text.RegularExpressions;
using Npgsql;
using Warehouse.Core.Portability;

namespace Warehouse.Core.Migrations;

/// <summary>
/// Before any script runs: does the migrating role hold the privileges the pending scripts need? A script is atomic but
/// a migration is not, so without this a role lacking CREATEROLE applied V0001-V0064 and then failed on V0100, leaving
/// the database half-migrated. Checked: CREATE on the database (for <c>create schema</c>, and the history's own schema),
/// CREATE on an existing schema a script creates objects in, and the right to create or alter roles. DbUp has no such
/// check. Read from the script text (comments left out, DO and function bodies included), so it can only ask for more
/// than a script needs, never less.
/// </summary>
internal static partial class MigrationPrivileges
{
    public static async Task RequireAsync(NpgsqlConnection connection, Dialect dialect, IReadOnlyList<MigrationScript> pending,
        bool historyExists, CancellationToken ct)
    {
        if (pending.Count == 0)
        {
            return;
        }
        var (user, database, canCreateSchemas, canManageRoles) = await ReadRoleAsync(connection, dialect, ct);
        var schemas = await ReadSchemasAsync(connection, ct);
        var missing = new Dictionary<string, string>(); // privilege -> why, first script that needs it
        void Need(bool held, string privilege, string why)
        {
            if (!held)
            {
                missing.TryAdd(privilege, why);
            }
        }

        if (!historyExists)
        {
            var historySchema = schemas.TryGetValue("warehouse", out var canCreateInWarehouse);
            Need(historySchema ? canCreateInWarehouse : canCreateSchemas,
                historySchema ? "CREATE on schema warehouse" : $"CREATE on database {database}", "for the migration history");
        }
        foreach (var script in pending)
        {
            var sql = SqlStatementSplitter.MaskCommentsAndLiterals(script.Text, commentsOnly: true);
            if (CreateSchema().IsMatch(sql))
            {
                Need(canCreateSchemas, $"CREATE on database {database}", $"{script.FileName} creates a schema");
            }
            foreach (Match m in CreateInSchema().Matches(sql))
            {
                var schema = m.Groups["schema"].Value.Trim('"').ToLowerInvariant();
                if (schemas.TryGetValue(schema, out var canCreate))
                {
                    Need(canCreate, $"CREATE on schema {schema}", $"{script.FileName} creates objects in it");
                }
            }
            if (RoleStatement().IsMatch(sql))
            {
                Need(canManageRoles, dialect.IsRedshift ? "superuser (to create users)" : "CREATEROLE", $"{script.FileName} creates or alters a role");
            }
        }
        if (missing.Count > 0)
        {
            throw new WarehouseException(
                $"the role {user} lacks privileges the pending scripts need, so nothing was applied: " +
                string.Join("; ", missing.Select(m => $"{m.Key} ({m.Value})")));
        }
    }

    private static async Task<(string User, string Database, bool CanCreateSchemas, bool CanManageRoles)> ReadRoleAsync(
        NpgsqlConnection connection, Dialect dialect, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select current_user, current_database(), has_database_privilege(current_database(), 'create'), coalesce(({dialect.CanManageRolesSql}), false)",
            connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3));
    }

    /// <summary>Every schema of the database and whether the role may create objects in it.</summary>
    private static async Task<Dictionary<string, bool>> ReadSchemasAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var schemas = new Dictionary<string, bool>();
        await using var command = new NpgsqlCommand("select nspname, has_schema_privilege(nspname, 'create') from pg_namespace", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            schemas[reader.GetString(0)] = reader.GetBoolean(1);
        }
        return schemas;
    }

    [GeneratedRegex(@"\bcreate\s+schema\b", RegexOptions.IgnoreCase)]
    private static partial Regex CreateSchema();

    // create [or replace] [temp|unlogged|materialized|...] table|view|function|procedure|sequence|type [if not exists] schema.name
    [GeneratedRegex(@"\bcreate\s+(?:or\s+replace\s+)?(?:(?:temp|temporary|unlogged|materialized|recursive)\s+)*(?:table|view|function|procedure|sequence|type)\s+(?:if\s+not\s+exists\s+)?(?<schema>""[^""]+""|\w+)\s*\.", RegexOptions.IgnoreCase)]
    private static partial Regex CreateInSchema();

    [GeneratedRegex(@"\b(?:create|alter|drop)\s+(?:role|user|group)\b(?!\s+mapping)|\bcomment\s+on\s+role\b", RegexOptions.IgnoreCase)]
    private static partial Regex RoleStatement();
}
