using System.Globalization;
using System.Text;
using Npgsql;
using Warehouse.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Api;

/// <summary>
/// A migrated database filled through the staging tables with a small, hand-made data set whose marts were worked out
/// by hand (the expectations in the tests), so the API is checked against the real views, not against itself.
/// </summary>
public static class ApiTestData
{
    public static readonly DateTime Day1 = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Twelve HTTP-log users with two sessions each: 24 campaign_performance rows.</summary>
    public const int HttpUsers = 12;
    public const int HttpSessions = 2 * HttpUsers;

    // TestDatabase cuts the generated name to 48 characters, so it needs a prefix of at least 14
    public static Task<string> CreateLoadedDatabaseAsync(string prefix) => CreateDatabaseAsync(prefix + "warehouseapi", Sql());

    /// <summary>
    /// A migrated database holding the rows <paramref name="stagingSql"/> inserts, fully refreshed, whose read-only login
    /// has <see cref="ApiPassword"/>; returns the owner's connection string.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string prefix, string stagingSql)
    {
        var db = await TestDatabase.CreateMigratedAsync(prefix);
        // The test cluster asks every login for a password; the role is cluster-wide, so every class sets the same one.
        await ApiRole.SetPasswordAsync(db, ApiPassword);
        await TestDatabase.ExecuteAsync(db, stagingSql);
        // The marts read materialised tables: build them from the staging rows just written.
        await new Warehouse.Core.Refresh.Refresher(db).RefreshAsync(new Warehouse.Core.Refresh.RefreshOptions { Full = true });
        return db;
    }

    /// <summary>
    /// The API role's password in the tests: quotes, a semicolon and a comment, so every class that sets it also checks
    /// that <see cref="ApiRole.SetPasswordAsync"/> quotes it.
    /// </summary>
    public const string ApiPassword = "it's a \"secret\"; drop role warehouse_api; --";

    /// <summary>The API's connection: the read-only role, on the same server and database.</summary>
    public static string ApiConnectionString(string ownerConnectionString) => ApiRole.ConnectionString(ownerConnectionString, ApiPassword);

    private static string Sql()
    {
        var sql = new StringBuilder();
        var line = 0;

        // Webshop: c1 has a 20-minute visit, then orders 3 hours later (1 visit, 20 min before the order); c2 orders in
        // its first session (0, 0); c3 has visits of 5 and 10 minutes, then orders (2, 15). Medians: 1 visit, 15 minutes.
        // c1's browser changes inside its first session: the first event (Chrome) decides.
        void Webshop(string type, string at, string? customer, string browser, string os, string device) =>
            sql.AppendLine(CultureInfo.InvariantCulture,
                $"insert into staging.webshop_events values ({++line}, '{type}', '{at}', {(customer is null ? "null" : $"'{customer}'")}, null, null, '{browser}', '{os}', '{device}', null, 'webshop.jsonl', {line});");
        Webshop("page_view", "2024-03-01T09:00:00Z", "c1", "Chrome", "Linux", "Other");
        Webshop("page_view", "2024-03-01T09:20:00Z", "c1", "Firefox", "Windows", "Other");
        Webshop("placed_order", "2024-03-01T12:00:00Z", "c1", "Chrome", "Linux", "Other");
        Webshop("page_view", "2024-03-02T12:00:00Z", "c2", "Safari", "iOS", "iPhone");
        Webshop("placed_order", "2024-03-02T12:10:00Z", "c2", "Safari", "iOS", "iPhone");
        Webshop("page_view", "2024-03-01T10:00:00Z", "c3", "Chrome", "Android", "Samsung");
        Webshop("page_view", "2024-03-01T10:05:00Z", "c3", "Chrome", "Android", "Samsung");
        Webshop("page_view", "2024-03-01T11:00:00Z", "c3", "Chrome", "Android", "Samsung");
        Webshop("page_view", "2024-03-01T11:10:00Z", "c3", "Chrome", "Android", "Samsung");
        Webshop("placed_order", "2024-03-01T13:00:00Z", "c3", "Chrome", "Android", "Samsung");
        Webshop("page_view", "2024-03-01T13:00:00Z", null, "Opera", "Windows", "Other"); // anonymous: no session

        // Clickstream: k1 one session starting on Safari, k2 one session without a user agent (families null -> "Other").
        sql.AppendLine("insert into staging.clickstream values ('k1', '2024-03-01T08:00:00Z', null, null, null, 'Safari', 'Mac OS X', 'Mac', 'click.csv', 2);");
        sql.AppendLine("insert into staging.clickstream values ('k1', '2024-03-01T08:10:00Z', 'p1', null, null, 'Chrome', 'Mac OS X', 'Mac', 'click.csv', 3);");
        sql.AppendLine("insert into staging.clickstream values ('k2', '2024-03-02T08:00:00Z', null, null, null, null, null, null, 'click.csv', 4);");

        // Device events: one session.
        sql.AppendLine("insert into staging.device_events values ('d1', '2024-03-01T07:00:00Z', 'screen_view', 'Chrome Mobile', 'Android', 'Pixel 7', 'device.jsonl', 1);");

        // HTTP log: user i has session A starting at 10:00 + (i % 4) minutes (starts shared by several users, so the
        // user_id breaks ties) and session B at exactly 12:00 for everyone. u01 views campaign 1, gets reward 9, views
        // campaign 2 (driven); u02 gets reward 9 before viewing campaign 1 (not driven).
        line = 0;
        void Http(string method, string path, string user, DateTime at) =>
            sql.AppendLine(CultureInfo.InvariantCulture,
                $"insert into staging.http_log values ('{at:yyyy-MM-ddTHH:mm:ssZ}', '{method}', '{path}', '{user}', 'http_log.txt', {++line});");
        for (var i = 1; i <= HttpUsers; i++)
        {
            var user = User(i);
            var startA = Day1.AddHours(10).AddMinutes(i % 4);
            switch (i)
            {
                case 1:
                    Http("GET", "/campaigns/1", user, startA);
                    Http("POST", "/rewards/9", user, startA.AddMinutes(1));
                    Http("GET", "/campaigns/2", user, startA.AddMinutes(2));
                    break;
                case 2:
                    Http("POST", "/rewards/9", user, startA);
                    Http("GET", "/campaigns/1", user, startA.AddMinutes(1));
                    break;
                default:
                    Http("GET", "/home", user, startA);
                    break;
            }
            Http("GET", "/home", user, Day1.AddHours(12));
        }
        sql.AppendLine("insert into staging.campaign_reward_mapping values ('1', '9');");
        return sql.ToString();
    }

    /// <summary>
    /// Adds a small access log to a loaded database and refreshes. The site is shop.example (its pages are the most
    /// frequent referrer). Worked out by hand, per visitor (one session each):
    /// 2024-03-01  v1 direct, lands on /, views /pricing 2 minutes later (an asset between): 2 page views, 120 s
    ///             v2 search (www.google.com), lands on /: a bounce, 0 s
    ///             v3 campaign (news/email/spring), lands on /spring, views /pricing a minute later: 2 page views, 60 s
    /// 2024-03-02  v4 search (www.bing.com), lands on /pricing, an asset 30 s later: a bounce, 30 s
    ///             v5 social (l.facebook.com), lands on /: a bounce, 0 s
    ///             v7 search (www.google.com), lands on /, views /about 5 minutes later: 2 page views, 300 s
    ///             v6 only a 404 (no landing page); Googlebot fetches / and /robots.txt (a bot: no session)
    /// </summary>
    public static async Task AddAccessLogAsync(string db)
    {
        const string site = "https://shop.example";
        var sql = new StringBuilder();
        var line = 0;
        void Request(string visitor, string at, string path, string? query = null, string? referrer = null, int status = 200,
            string agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
        {
            var target = query is null ? path : path + "?" + query;
            sql.AppendLine(CultureInfo.InvariantCulture,
                $"insert into staging.access_log (client_address, event_at, utc_offset_minutes, request, method, path, query_string, " +
                $"protocol, status, response_bytes, referrer, user_agent, source_file, source_line) values ('{visitor}', '{at}', 0, " +
                $"'GET {target} HTTP/1.1', 'GET', '{path}', {Literal(query)}, 'HTTP/1.1', {status}, 512, {Literal(referrer)}, " +
                $"'{agent}', 'access.log', {++line});");
        }
        Request("198.51.100.1", "2024-03-01T09:00:00Z", "/");
        Request("198.51.100.1", "2024-03-01T09:00:01Z", "/css/site.css", referrer: site + "/");
        Request("198.51.100.1", "2024-03-01T09:02:00Z", "/pricing", referrer: site + "/");
        Request("198.51.100.2", "2024-03-01T10:00:00Z", "/", referrer: "https://www.google.com/");
        Request("198.51.100.3", "2024-03-01T11:00:00Z", "/spring", query: "utm_source=news&utm_medium=email&utm_campaign=spring");
        Request("198.51.100.3", "2024-03-01T11:01:00Z", "/pricing", referrer: site + "/spring");
        Request("198.51.100.4", "2024-03-02T08:00:00Z", "/pricing", referrer: "https://www.bing.com/");
        Request("198.51.100.4", "2024-03-02T08:00:30Z", "/img/logo.png", referrer: site + "/pricing");
        Request("198.51.100.5", "2024-03-02T09:00:00Z", "/", referrer: "https://l.facebook.com/");
        Request("198.51.100.6", "2024-03-02T09:30:00Z", "/missing", status: 404);
        Request("198.51.100.7", "2024-03-02T12:00:00Z", "/", referrer: "https://www.google.com/");
        Request("198.51.100.7", "2024-03-02T12:05:00Z", "/about", referrer: site + "/");
        const string googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        Request("66.249.66.1", "2024-03-02T13:00:00Z", "/robots.txt", agent: googlebot);
        Request("66.249.66.1", "2024-03-02T13:00:01Z", "/", agent: googlebot);
        await TestDatabase.ExecuteAsync(db, sql.ToString());
        await new Warehouse.Core.Refresh.Refresher(db).RefreshAsync(new Warehouse.Core.Refresh.RefreshOptions { Full = true });

        static string Literal(string? text) => text is null ? "null" : $"'{text}'";
    }

    /// <summary>
    /// Adds HTTP-log campaign views on two more days (2024-03-02 and 2024-03-04, none on 03-03) and refreshes. Mapping:
    /// campaign 2 contains reward 8, campaign 3 reward 7; campaign 4 contains none. With Day1's rows (campaign 1: 2 views
    /// by u01 and u02, 1 driven; campaign 2: 1 view by u01, 0 driven), marts.campaign_daily is, worked out by hand:
    /// 2024-03-01  campaign 1: views 2, viewers 2, sessions 2, issued 2, driven 1
    ///             campaign 2: views 1, viewers 1, sessions 1, issued 1, driven 0
    /// 2024-03-02  campaign 2: u21 views, gets 8; u22 views 2, views 3, gets 8: views 2, viewers 2, sessions 2, issued 2, driven 2
    ///             campaign 3: u22's view: views 1, viewers 1, sessions 1, issued 1, driven 0 (3 does not contain 8)
    ///             campaign 4: u25 views it, nothing else: views 1, viewers 1, sessions 1, issued 0, driven 0
    /// 2024-03-04  campaign 3: u23 views it 3 times, then gets 7 three times; u24 views it once:
    ///             views 4, viewers 2, sessions 2, issued 3, driven 3
    /// HTTP-log sessions per day: 24 on 03-01, 3 on 03-02, none on 03-03, 2 on 03-04.
    /// </summary>
    public static async Task AddCampaignDaysAsync(string db)
    {
        var sql = new StringBuilder();
        var line = 0;
        void Http(string method, string path, string user, string at) =>
            sql.AppendLine(CultureInfo.InvariantCulture,
                $"insert into staging.http_log values ('{at}', '{method}', '{path}', '{user}', 'http_log_campaigns.txt', {++line});");
        Http("GET", "/campaigns/2", "u21", "2024-03-02T09:00:00Z");
        Http("POST", "/rewards/8", "u21", "2024-03-02T09:01:00Z");
        Http("GET", "/campaigns/2", "u22", "2024-03-02T09:00:00Z");
        Http("GET", "/campaigns/3", "u22", "2024-03-02T09:02:00Z");
        Http("POST", "/rewards/8", "u22", "2024-03-02T09:05:00Z");
        Http("GET", "/campaigns/4", "u25", "2024-03-02T11:00:00Z");
        Http("GET", "/campaigns/3", "u23", "2024-03-04T10:00:00Z");
        Http("GET", "/campaigns/3", "u23", "2024-03-04T10:01:00Z");
        Http("GET", "/campaigns/3", "u23", "2024-03-04T10:02:00Z");
        Http("POST", "/rewards/7", "u23", "2024-03-04T10:03:00Z");
        Http("POST", "/rewards/7", "u23", "2024-03-04T10:04:00Z");
        Http("POST", "/rewards/7", "u23", "2024-03-04T10:05:00Z");
        Http("GET", "/campaigns/3", "u24", "2024-03-04T10:00:00Z");
        sql.AppendLine("insert into staging.campaign_reward_mapping values ('2', '8'), ('3', '7');");
        await TestDatabase.ExecuteAsync(db, sql.ToString());
        await new Warehouse.Core.Refresh.Refresher(db).RefreshAsync(new Warehouse.Core.Refresh.RefreshOptions { Full = true });
    }

    public static string User(int i) => $"u{i:00}";

    /// <summary>(session_start, user_id) of every campaign_performance row, in the API's order, read from the mart directly.</summary>
    public static async Task<List<(DateTime Start, string User)>> CampaignKeysAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select session_start, user_id from marts.campaign_performance order by session_start, user_id collate \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<(DateTime, string)>();
        while (await reader.ReadAsync())
        {
            keys.Add((reader.GetDateTime(0), reader.GetString(1)));
        }
        return keys;
    }
}
