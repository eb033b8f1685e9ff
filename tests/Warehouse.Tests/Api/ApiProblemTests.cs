using System.Net;
using System.Text;
using System.Text.Json;
using Warehouse.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Api;

/// <summary>Bad input and failures: always RFC 7807 problem+json that says what was wrong, never a 500 or a secret.</summary>
public sealed class ApiProblemTests(LoadedApi api) : IClassFixture<LoadedApi>
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()));
        return json;
    }

    private async Task<JsonElement> BadRequestAsync(string path)
    {
        using var response = await api.Client.GetAsync(path);
        return await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/campaigns/performance?from=yesterday", "from")]
    [InlineData("/campaigns/performance?from=2024-13-01T00:00:00Z", "from")]
    [InlineData("/campaigns/performance?to=2024-02-30", "to")]
    [InlineData("/campaigns/performance?from=2024-03-02&to=2024-03-01", "to")]
    [InlineData("/campaigns/performance?limit=0", "limit")]
    [InlineData("/campaigns/performance?limit=1001", "limit")]
    [InlineData("/campaigns/performance?limit=-5", "limit")]
    [InlineData("/campaigns/performance?limit=1.5", "limit")]
    [InlineData("/campaigns/performance?limit=99999999999999999999", "limit")]
    [InlineData("/campaigns/performance?limit=ten", "limit")]
    [InlineData("/campaigns/performance?limit=1&limit=2", "limit")]
    [InlineData("/campaigns/performance?cursor=not*base64", "cursor")]
    [InlineData("/campaigns/performance?cursor=aGVsbG8", "cursor")] // "hello": base64, but no separator
    [InlineData("/campaigns/performance?cursor=OTk5OTk5OTk5OTk5OTk5OTk5fHUx", "cursor")] // "999999999999999999|u1": out of range
    [InlineData("/campaigns/performance?cursor=__8", "cursor")] // bytes that are not UTF-8
    [InlineData("/campaigns/performance?cursor=MHxhAA", "cursor")] // "0|a\0": a NUL in the user part
    [InlineData("/campaigns/performance?user_id=%00", "user_id")]
    [InlineData("/campaigns/performance?user_id=u01%00x", "user_id")]
    public async Task CampaignPerformance_WithBadParameter_Returns400NamingIt(string path, string parameter)
    {
        var problem = await BadRequestAsync(path);

        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/traffic/sources?from=yesterday", "from")]
    [InlineData("/traffic/sources?from=2024-02-30", "from")]
    [InlineData("/traffic/sources?to=2024-3-1", "to")]
    [InlineData("/traffic/sources?to=2024-03-01T00:00:00Z", "to")]
    [InlineData("/traffic/sources?from=2024-03-02&to=2024-03-01", "to")]
    [InlineData("/traffic/sources?from=2024-03-01&from=2024-03-02", "from")]
    [InlineData("/traffic/status-daily?from=01.03.2024", "from")]
    [InlineData("/traffic/status-daily?from=2024-03-02&to=2024-03-01", "to")]
    [InlineData("/traffic/landing-pages?limit=0", "limit")]
    [InlineData("/traffic/landing-pages?limit=1001", "limit")]
    [InlineData("/traffic/landing-pages?limit=ten", "limit")]
    public async Task Traffic_WithBadParameter_Returns400NamingIt(string path, string parameter)
    {
        var problem = await BadRequestAsync(path);

        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/sessions/daily-by-key", "key")]
    [InlineData("/sessions/daily-by-key?key=user_agent", "key")]
    [InlineData("/sessions/daily-by-key?key=browser_family&source=apache", "source")]
    [InlineData("/sessions/daily-by-key?key=browser_family&from=yesterday", "from")]
    [InlineData("/sessions/daily-by-key?key=browser_family&from=2024-03-02&to=2024-03-01", "to")]
    public async Task DailySessionsByKey_WithBadParameter_Returns400NamingIt(string path, string parameter)
    {
        var problem = await BadRequestAsync(path);

        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CampaignPerformance_WithHugeCursor_Returns400WithoutDecodingIt()
    {
        var cursor = Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('1', 100_000))).TrimEnd('=');

        var problem = await BadRequestAsync($"/campaigns/performance?cursor={cursor}");

        Assert.Equal("cursor", problem.GetProperty("parameter").GetString());
        Assert.True(problem.GetProperty("detail").GetString()!.Length < 200);
    }

    [Fact]
    public async Task SessionsByKey_WithUnknownKey_Returns400ListingTheAllowedKeys()
    {
        var problem = await BadRequestAsync("/sessions/by/user_agent");

        Assert.Equal(["browser_family", "os_family", "device_family"], problem.GetProperty("allowed").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("user_agent", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/sessions/by/browser_family?source=apache")]
    [InlineData("/sessions/by/browser_family?source=HTTP_LOG")]
    [InlineData("/sessions/daily?source=apache")]
    [InlineData("/sessions/daily?source=x%27%3B%20drop%20table%20staging.http_log%3B--")]
    public async Task Source_WhenUnknown_Returns400ListingTheAllowedSources(string path)
    {
        var problem = await BadRequestAsync(path);

        Assert.Equal("source", problem.GetProperty("parameter").GetString());
        Assert.Equal(QueryInput.SourceNames, problem.GetProperty("allowed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(ApiTestData.HttpSessions, await TestDatabase.ScalarAsync<long>(api.Database, "select count(*) from marts.campaign_performance"));
    }

    [Fact]
    public async Task UserId_WithSqlInText_IsAValueNotSql()
    {
        using var response = await api.Client.GetAsync("/campaigns/performance?user_id=" + Uri.EscapeDataString("u01' or '1'='1"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, json.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("/nowhere")]
    [InlineData("/sessions/by")]
    public async Task UnknownPath_Returns404Problem(string path)
    {
        using var response = await api.Client.GetAsync(path);
        await ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WritingMethod_Returns405Problem()
    {
        using var response = await api.Client.PostAsync("/metrics/order", new StringContent("{}"));
        await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Health_WhenAMigrationIsPending_Returns503NamingIt()
    {
        var folder = Directory.CreateTempSubdirectory("api-migrations-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(TestDatabase.MigrationsDirectory, "*.sql", SearchOption.AllDirectories))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }
            File.WriteAllText(Path.Combine(folder, "V9999__not_yet.sql"), "select 1;");
            await using var factory = new ApiFactory(ApiTestData.ApiConnectionString(api.Database), folder);
            using var client = factory.CreateClient();

            using var response = await client.GetAsync("/health");
            var problem = await ProblemAsync(response, HttpStatusCode.ServiceUnavailable);

            var pending = Assert.Single(problem.GetProperty("migrations").EnumerateArray());
            Assert.Equal("pending", pending.GetProperty("state").GetString());
            Assert.Equal("V9999__not_yet.sql", pending.GetProperty("script").GetString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("/metrics/order")]
    [InlineData("/health")]
    [InlineData("/campaigns/performance")]
    [InlineData("/traffic/sources")]
    public async Task DatabaseDown_Returns503WithoutConnectionDetails(string path)
    {
        const string password = "pa55-w0rd-never-shown";
        var closedPort = ClosedLoopbackPort();
        var connectionString = $"Host=127.0.0.1;Port={closedPort};Username=warehouse_api;Password={password};Database=nowhere;Timeout=3";
        await using var factory = new ApiFactory(connectionString);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(path);
        var body = (await ProblemAsync(response, HttpStatusCode.ServiceUnavailable)).GetRawText();

        Assert.DoesNotContain(password, body, StringComparison.Ordinal);
        Assert.DoesNotContain(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
        Assert.DoesNotContain("nowhere", body, StringComparison.Ordinal);
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when disposed
    }
}
