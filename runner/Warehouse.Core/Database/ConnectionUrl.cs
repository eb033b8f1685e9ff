using Npgsql;

namespace Warehouse.Core.Database;

/// <summary>
/// Turns the <c>postgresql://user:password@host:port/database?sslmode=require</c> URLs that psql accepts into Npgsql
/// connection strings, and keeps passwords out of anything printed.
/// </summary>
public static class ConnectionUrl
{
    public static string ToConnectionString(string url, string applicationName = "warehouse")
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "postgresql" && uri.Scheme != "postgres"))
        {
            throw new WarehouseException($"not a database URL: '{Redact(url)}' (expected postgresql://user@host:port/database)");
        }
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "postgres",
            ApplicationName = applicationName,
            // Marts and sessionization over millions of rows take longer than Npgsql's 30 s default.
            CommandTimeout = 0,
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
        }
        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            var value = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
            switch (key)
            {
                case "sslmode":
                    builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", ""), ignoreCase: true);
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                default:
                    try
                    {
                        builder[key] = value;
                    }
                    catch (ArgumentException)
                    {
                        throw new WarehouseException($"unsupported database URL parameter '{key}' in '{Redact(url)}'");
                    }
                    break;
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>The URL with any password replaced by ***.</summary>
    public static string Redact(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.UserInfo.Contains(':'))
        {
            return url;
        }
        var user = uri.UserInfo.Split(':', 2)[0];
        return url.Replace(uri.UserInfo + "@", user + ":***@", StringComparison.Ordinal);
    }

    /// <summary>Where a connection goes, for messages: host:port/database, never credentials.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
