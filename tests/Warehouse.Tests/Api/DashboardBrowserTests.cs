using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Warehouse.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Api;

/// <summary>
/// The dashboard in Debian's headless Chromium, driven by Playwright, against the app on real Kestrel on a loopback port.
/// What the page shows is compared with the marts read directly; a screenshot is kept as a test artifact.
/// </summary>
[Trait("Speed", "slow")] // a Chromium browser
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    private string _db = "";
    private WebApplication _app = null!;
    private string _baseUrl = "";
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (./warehouse test does)");
        _db = await ApiTestData.CreateLoadedDatabaseAsync("dashboard");
        _app = ApiHost.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Warehouse:ConnectionString"] = ApiTestData.ApiConnectionString(_db),
                ["Warehouse:MigrationsDirectory"] = TestDatabase.MigrationsDirectory,
            });
            builder.Logging.ClearProviders();
        });
        await _app.StartAsync();
        _baseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // without the networking flags Chromium keeps trying hosts this closed network refuses
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IPage> OpenDashboardAsync()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 1250 } });
        var failures = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") failures.Add(message.Text); };
        page.PageError += (_, error) => failures.Add(error);
        await page.GotoAsync(_baseUrl + "/");
        await page.WaitForSelectorAsync("body[data-ready='true']", new PageWaitForSelectorOptions { Timeout = 20_000 });
        Assert.Empty(failures);
        return page;
    }

    private static Task<T> ChartAsync<T>(IPage page, string canvasId, string expression) =>
        page.EvaluateAsync<T>($"() => {{ const chart = Chart.getChart(document.getElementById('{canvasId}')); return {expression}; }}");

    [Fact]
    public async Task Dashboard_ShowsTheMartsNumbersChartsAndTable_AndSavesAScreenshot()
    {
        await ApiTestData.AddAccessLogAsync(_db);
        await ApiTestData.AddCampaignDaysAsync(_db);
        var page = await OpenDashboardAsync();

        // big numbers: the mart's values, shown and carried in data-value
        var visits = await TestDatabase.ScalarAsync<decimal>(_db, "select median_visits_before_order from marts.order_metrics");
        var minutes = await TestDatabase.ScalarAsync<decimal>(_db, "select median_session_duration_minutes_before_order from marts.order_metrics");
        Assert.Equal((double)visits, double.Parse(await page.GetAttributeAsync("#metric-visits", "data-value") ?? "", CultureInfo.InvariantCulture));
        Assert.Equal((double)minutes, double.Parse(await page.GetAttributeAsync("#metric-minutes", "data-value") ?? "", CultureInfo.InvariantCulture));
        Assert.Equal(visits.ToString("0.##", CultureInfo.InvariantCulture), await page.InnerTextAsync("#metric-visits"));
        Assert.Equal(minutes.ToString("0.##", CultureInfo.InvariantCulture), await page.InnerTextAsync("#metric-minutes"));

        // bars: one per browser family, heights equal to the mart summed over sources
        var expectedBars = await FamiliesAsync("browser_family");
        Assert.Equal(expectedBars.Keys, await ChartAsync<string[]>(page, "chart-families", "chart.data.labels"));
        Assert.Equal(expectedBars.Values, await ChartAsync<long[]>(page, "chart-families", "chart.data.datasets[0].data"));
        Assert.Equal(expectedBars.Count, await ChartAsync<int>(page, "chart-families", "chart.getDatasetMeta(0).data.length"));
        Assert.True(await PaintedPixelsAsync(page, "chart-families") > 1000, "the bar chart canvas is blank");

        // daily line chart: a line per source, a point per day of the mart and none for a day it has no row for
        var sources = await ChartAsync<string[]>(page, "chart-daily", "chart.data.datasets.map(d => d.label)");
        Assert.Equal(["access_log", "clickstream", "device_events", "http_log", "webshop_events"], sources);
        foreach (var source in sources)
        {
            var expected = await TestDatabase.ScalarAsync<string[]>(_db,
                "select array_agg(to_char(session_date, 'YYYY-MM-DD') || '=' || sessions order by session_date) " +
                $"from marts.daily_sessions where source = '{source}'");
            Assert.Equal(expected, await DailyPointsAsync(page, source));
        }
        Assert.Equal(["2024-03-01=24", "2024-03-02=3", "2024-03-04=2"], await DailyPointsAsync(page, "http_log"));
        Assert.Equal("session start (UTC day)", await ChartAsync<string>(page, "chart-daily", "chart.options.scales.x.title.text"));
        Assert.True(await PaintedPixelsAsync(page, "chart-daily") > 1000, "the line chart canvas is blank");

        // top campaigns of the default period (the week ending on the latest view), as the API ranks them
        Assert.Equal("data", await page.GetAttributeAsync("#top-campaigns", "data-state"));
        Assert.Equal(["campaign 3", "campaign 2", "campaign 1", "campaign 4"], await ChartAsync<string[]>(page, "chart-top-campaigns", "chart.data.labels"));
        Assert.True(await PaintedPixelsAsync(page, "chart-top-campaigns") > 1000, "the top campaigns chart canvas is blank");

        // traffic sources: a stack per UTC day, a dataset per channel (largest of the period first), heights from the mart
        Assert.Equal("data", await page.GetAttributeAsync("#traffic", "data-state"));
        Assert.False(await page.IsVisibleAsync("#traffic .empty"));
        Assert.Equal(["2024-03-01", "2024-03-02"], await ChartAsync<string[]>(page, "chart-traffic", "chart.data.labels"));
        Assert.Equal(["search", "campaign", "direct", "social"], await ChartAsync<string[]>(page, "chart-traffic", "chart.data.datasets.map(d => d.label)"));
        foreach (var channel in new[] { "search", "campaign", "direct", "social" })
        {
            var expected = new List<long>();
            foreach (var day in new[] { "2024-03-01", "2024-03-02" })
            {
                expected.Add(await TestDatabase.ScalarAsync<long>(_db,
                    $"select coalesce(cast(sum(sessions) as bigint), 0) from marts.traffic_sources where channel = '{channel}' and session_date = '{day}'"));
            }
            Assert.Equal(expected, await ChartAsync<long[]>(page, "chart-traffic", $"chart.data.datasets.find(d => d.label === '{channel}').data"));
        }
        Assert.Equal("session start (UTC day)", await ChartAsync<string>(page, "chart-traffic", "chart.options.scales.x.title.text"));
        Assert.True(await PaintedPixelsAsync(page, "chart-traffic") > 1000, "the traffic chart canvas is blank");

        // landing pages: the mart's pages by sessions, bounce rate as a percentage
        Assert.Equal("data", await page.GetAttributeAsync("#landing", "data-state"));
        var landingRows = await page.Locator("#landing-table tbody tr").AllAsync();
        var shown = new List<string>();
        foreach (var row in landingRows)
        {
            shown.Add(string.Join(" | ", await row.Locator("td").AllInnerTextsAsync()));
        }
        Assert.Equal(["/ | 4 | 50 % | 1.5 | 60", "/pricing | 1 | 100 % | 1 | 30", "/spring | 1 | 0 % | 2 | 60"], shown);
        Assert.Equal(await TestDatabase.ScalarAsync<long>(_db, "select count(*) from marts.landing_pages"), landingRows.Count);

        // the campaign table's first page: the first rows of the mart in API order
        var keys = await ApiTestData.CampaignKeysAsync(_db);
        var firstUsers = await page.Locator("#campaign-table tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(keys.Take(25).Select(k => k.User), firstUsers);

        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard.png"), FullPage = true });
        Assert.True(new FileInfo(Path.Combine(artifacts, "dashboard.png")).Length > 10_000);
        // The README's picture is refreshed on request only, so an ordinary test run leaves the work tree clean.
        if (Environment.GetEnvironmentVariable("WAREHOUSE_UPDATE_DOCS_SCREENSHOT") == "1")
        {
            File.Copy(Path.Combine(artifacts, "dashboard.png"), Path.Combine(TestDatabase.RepoRoot, "docs", "dashboard.png"), overwrite: true);
        }
    }

    [Fact]
    public async Task Dashboard_WithoutAccessLogData_SaysSoInsteadOfTheTrafficChartAndLandingPagesTable()
    {
        var page = await OpenDashboardAsync();

        foreach (var panel in new[] { "#traffic", "#landing" })
        {
            Assert.Equal("empty", await page.GetAttributeAsync(panel, "data-state"));
            Assert.True(await page.IsVisibleAsync($"{panel} .empty"));
            Assert.StartsWith("No access-log data", await page.InnerTextAsync($"{panel} .empty"), StringComparison.Ordinal);
        }
        Assert.False(await page.IsVisibleAsync("#chart-traffic"));
        Assert.False(await page.IsVisibleAsync("#landing-table"));
        Assert.Null(await page.EvaluateAsync<object?>("() => Chart.getChart(document.getElementById('chart-traffic')) ?? null"));
    }

    [Fact]
    public async Task Dashboard_SwitchingTheFamilyKeyAndSource_RedrawsTheBarsFromTheMart()
    {
        var page = await OpenDashboardAsync();

        await page.ClickAsync("#family-keys button[data-key='device_family']");
        await page.SelectOptionAsync("#family-source", "webshop_events");
        await page.WaitForFunctionAsync("() => Chart.getChart(document.getElementById('chart-families')).data.labels.includes('Samsung')"
            + " && !Chart.getChart(document.getElementById('chart-families')).data.labels.includes('Pixel 7')");

        var expected = await FamiliesAsync("device_family", "webshop_events");
        Assert.Equal(expected.Keys, await ChartAsync<string[]>(page, "chart-families", "chart.data.labels"));
        Assert.Equal(expected.Values, await ChartAsync<long[]>(page, "chart-families", "chart.data.datasets[0].data"));
        Assert.Equal("true", await page.GetAttributeAsync("#family-keys button[data-key='device_family']", "aria-pressed"));
    }

    [Fact]
    public async Task Dashboard_AnEarlierFamilyAnswerArrivingLast_DoesNotReplaceTheLatestChoice()
    {
        var page = await OpenDashboardAsync();
        // Hold back the answer for the first choice (device families of every source) until the second choice's
        // answer (one source) has been drawn: the order a loaded server or network can produce.
        var releaseStale = new TaskCompletionSource();
        var staleServed = new TaskCompletionSource();
        await page.RouteAsync("**/sessions/by/device_family", async route =>
        {
            if (!route.Request.Url.Contains("source=", StringComparison.Ordinal))
            {
                await releaseStale.Task;
                await route.ContinueAsync();
                staleServed.TrySetResult();
                return;
            }
            await route.ContinueAsync();
        });

        await page.ClickAsync("#family-keys button[data-key='device_family']");
        await page.SelectOptionAsync("#family-source", "webshop_events");
        await page.WaitForFunctionAsync("() => Chart.getChart(document.getElementById('chart-families')).data.labels.includes('Samsung')"
            + " && !Chart.getChart(document.getElementById('chart-families')).data.labels.includes('Pixel 7')");
        releaseStale.SetResult();
        await staleServed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var expected = await FamiliesAsync("device_family", "webshop_events");
        Assert.Equal(expected.Keys, await ChartAsync<string[]>(page, "chart-families", "chart.data.labels"));
    }

    [Fact]
    public async Task Dashboard_CampaignTable_PagesForwardAndBackAndFilters()
    {
        var page = await OpenDashboardAsync();
        var keys = await ApiTestData.CampaignKeysAsync(_db);
        var rows = page.Locator("#campaign-table tbody tr td:first-child");

        await page.SelectOptionAsync("#campaign-filter select[name='limit']", "10");
        await page.ClickAsync("#campaign-filter button[type='submit']");
        await Expect(rows, 10);
        Assert.Equal(keys.Take(10).Select(k => k.User), await rows.AllInnerTextsAsync());

        await page.ClickAsync("#campaign-next");
        await page.WaitForSelectorAsync("#campaign-page:text('page 2')");
        Assert.Equal(keys.Skip(10).Take(10).Select(k => k.User), await rows.AllInnerTextsAsync());

        await page.ClickAsync("#campaign-next");
        await page.WaitForSelectorAsync("#campaign-page:text('page 3')");
        Assert.Equal(keys.Skip(20).Select(k => k.User), await rows.AllInnerTextsAsync());
        Assert.True(await page.IsDisabledAsync("#campaign-next"));

        await page.ClickAsync("#campaign-prev");
        await page.WaitForSelectorAsync("#campaign-page:text('page 2')");
        Assert.Equal(keys.Skip(10).Take(10).Select(k => k.User), await rows.AllInnerTextsAsync());

        await page.FillAsync("#campaign-filter input[name='user_id']", "u01");
        await page.ClickAsync("#campaign-filter button[type='submit']");
        await page.WaitForSelectorAsync("#campaign-page:text('page 1')");
        await Expect(rows, 2);
        Assert.Equal(["u01", "u01"], await rows.AllInnerTextsAsync());
    }

    [Fact]
    public async Task Dashboard_FamiliesPerDay_DrawEachValuesSessionsPerUtcDayFromTheDailyMart_WithADayWithoutSessionsAsAGap()
    {
        // http_log has sessions on 2024-03-01, 03-02 and 03-04 and none on 03-03
        await ApiTestData.AddCampaignDaysAsync(_db);
        var page = await OpenDashboardAsync();

        await page.ClickAsync("#family-keys button[data-key='device_family']");
        await page.SelectOptionAsync("#family-source", "webshop_events");
        var expected = await FamilyDaysAsync("device_family", "webshop_events");
        Assert.NotEmpty(expected);
        await page.WaitForFunctionAsync("() => Chart.getChart(document.getElementById('chart-families-daily')).data.datasets"
            + ".map(d => d.label).includes('Samsung')");
        Assert.Equal(expected, await FamilyDayPointsAsync(page));

        // http_log has no families: one line of its sessions, broken on the day without any
        await page.SelectOptionAsync("#family-source", "http_log");
        await page.WaitForFunctionAsync("() => Chart.getChart(document.getElementById('chart-families-daily')).data.datasets.length === 1");
        Assert.Equal(["Other 2024-03-01=24", "Other 2024-03-02=3", "Other 2024-03-04=2"], await FamilyDayPointsAsync(page));
        Assert.Equal(["2024-03-03"], await ChartAsync<string[]>(page, "chart-families-daily",
            "chart.data.datasets[0].data.filter(p => p.y === null).map(p => new Date(p.x * 86400000).toISOString().slice(0, 10))"));
        Assert.Equal("session start (UTC day)", await ChartAsync<string>(page, "chart-families-daily", "chart.options.scales.x.title.text"));
    }

    /// <summary>The chart's points with sessions, as "value day=sessions", sorted.</summary>
    private static async Task<string[]> FamilyDayPointsAsync(IPage page) =>
        [.. (await ChartAsync<string[]>(page, "chart-families-daily",
            "chart.data.datasets.flatMap(d => d.data.filter(p => p.y > 0).map(p => d.label + ' ' + new Date(p.x * 86400000).toISOString().slice(0, 10) + '=' + p.y))"))
            .Order(StringComparer.Ordinal)];

    /// <summary>The daily mart's rows for one key and source, as "value day=sessions", sorted.</summary>
    private async Task<string[]> FamilyDaysAsync(string key, string source)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select coalesce(group_value, 'Other') || ' ' || to_char(session_date, 'YYYY-MM-DD') || '=' || sessions " +
            "from marts.daily_sessions_by_key where group_key = @key and source = @source", connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("source", source);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        return [.. rows.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task Dashboard_DailySessions_SpaceDaysByTimeAndLeaveADayWithoutSessionsAsAGap()
    {
        // http_log has sessions on 2024-03-01, 03-02 and 03-04 and none on 03-03
        await ApiTestData.AddCampaignDaysAsync(_db);
        var page = await OpenDashboardAsync();

        Assert.Equal(["2024-03-01=24", "2024-03-02=3", "2024-03-04=2"], await DailyPointsAsync(page, "http_log"));
        // the pixel positions of the drawn points: d+3 lies three times as far from d as d+1 does
        var xs = await ChartAsync<double[]>(page, "chart-daily",
            "chart.getDatasetMeta(chart.data.datasets.findIndex(d => d.label === 'http_log')).data.filter(p => !p.skip).map(p => p.x)");
        Assert.Equal(3, xs.Length);
        Assert.True(xs[1] - xs[0] > 10, $"points too close to measure: {string.Join(", ", xs)}");
        Assert.Equal(3 * (xs[1] - xs[0]), xs[2] - xs[0], 1.0);
        // 03-03 is in the line as a gap (null, so the line breaks there), not as a zero
        Assert.Equal(["2024-03-03"], await ChartAsync<string[]>(page, "chart-daily",
            "chart.data.datasets.find(d => d.label === 'http_log').data.filter(p => p.y === null).map(p => new Date(p.x * 86400000).toISOString().slice(0, 10))"));
        Assert.False(await ChartAsync<bool>(page, "chart-daily", "chart.data.datasets.some(d => d.data.some(p => p.y === 0))"));
        Assert.Equal("session start (UTC day)", await ChartAsync<string>(page, "chart-daily", "chart.options.scales.x.title.text"));
    }

    [Fact]
    public async Task Dashboard_TopCampaigns_ChartsTheLatestWeekAndRedrawsForAChosenPeriod()
    {
        await ApiTestData.AddCampaignDaysAsync(_db);
        var page = await OpenDashboardAsync();
        const string labels = "chart.data.labels";
        const string bars = "chart.data.datasets[0].data";

        // without a choice: the week ending on the latest day with a view, shown in the picker
        Assert.Equal("2024-02-27", await page.InputValueAsync("#top-campaigns-period input[name='from']"));
        Assert.Equal("2024-03-04", await page.InputValueAsync("#top-campaigns-period input[name='to']"));
        Assert.Equal(["campaign 3", "campaign 2", "campaign 1", "campaign 4"], await ChartAsync<string[]>(page, "chart-top-campaigns", labels));
        Assert.Equal(new long[] { 3, 2, 1, 0 }, await ChartAsync<long[]>(page, "chart-top-campaigns", bars));
        Assert.Equal("rewards driven", await ChartAsync<string>(page, "chart-top-campaigns", "chart.options.scales.x.title.text"));
        Assert.Equal("2024-02-27 to 2024-03-04 (UTC days)", await ChartAsync<string>(page, "chart-top-campaigns", "chart.options.plugins.title.text"));
        var rows = new List<string>();
        foreach (var row in await page.Locator("#top-campaigns-table tbody tr").AllAsync())
        {
            rows.Add(string.Join(" | ", await row.Locator("td").AllInnerTextsAsync()));
        }
        Assert.Equal(["3 | 3 | 5 | 3 | 3 | 60 %", "2 | 2 | 3 | 3 | 3 | 66.67 %", "1 | 1 | 2 | 2 | 2 | 50 %", "4 | 0 | 1 | 1 | 1 | 0 %"], rows);

        // a period that leaves out 2024-03-04: campaign 3 drove nothing before it
        await page.FillAsync("#top-campaigns-period input[name='from']", "2024-03-01");
        await page.FillAsync("#top-campaigns-period input[name='to']", "2024-03-03");
        await page.ClickAsync("#top-campaigns-period button[type='submit']");
        await page.WaitForFunctionAsync("() => Chart.getChart(document.getElementById('chart-top-campaigns')).data.labels[0] === 'campaign 2'");
        Assert.Equal(["campaign 2", "campaign 1", "campaign 3", "campaign 4"], await ChartAsync<string[]>(page, "chart-top-campaigns", labels));
        Assert.Equal(new long[] { 2, 1, 0, 0 }, await ChartAsync<long[]>(page, "chart-top-campaigns", bars));

        // a period without views says so; one ending before it starts shows the API's problem
        await page.FillAsync("#top-campaigns-period input[name='from']", "2023-01-01");
        await page.FillAsync("#top-campaigns-period input[name='to']", "2023-01-31");
        await page.ClickAsync("#top-campaigns-period button[type='submit']");
        await page.WaitForSelectorAsync("#top-campaigns[data-state='empty']");
        Assert.True(await page.IsVisibleAsync("#top-campaigns .empty"));
        Assert.False(await page.IsVisibleAsync("#chart-top-campaigns"));

        await page.FillAsync("#top-campaigns-period input[name='from']", "2024-03-04");
        await page.FillAsync("#top-campaigns-period input[name='to']", "2024-03-01");
        await page.ClickAsync("#top-campaigns-period button[type='submit']");
        await page.WaitForSelectorAsync("#top-campaigns[data-state='error']");
        Assert.Equal("to must not be before from (both days are included)", await page.InnerTextAsync("#top-campaigns .error"));
    }

    /// <summary>The drawn points of a source's daily line as "yyyy-MM-dd=sessions" (a gap's null is not a point).</summary>
    private static Task<string[]> DailyPointsAsync(IPage page, string source) =>
        ChartAsync<string[]>(page, "chart-daily",
            $"chart.data.datasets.find(d => d.label === '{source}').data.filter(p => p.y !== null)" +
            ".map(p => new Date(p.x * 86400000).toISOString().slice(0, 10) + '=' + p.y)");

    private static async Task Expect(ILocator locator, int count)
    {
        for (var i = 0; i < 100 && await locator.CountAsync() != count; i++)
        {
            await Task.Delay(50);
        }
        Assert.Equal(count, await locator.CountAsync());
    }

    /// <summary>The mart's sessions per family, summed over sources (or one source), largest first, as the API orders them.</summary>
    private async Task<OrderedDictionary<string, long>> FamiliesAsync(string key, string? source = null)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select family, total from (select coalesce(group_value, 'Other') as family, cast(sum(sessions) as bigint) as total " +
            "from marts.sessions_by_key where group_key = @key and (@source::text is null or source = @source) group by 1) as totals " +
            "order by total desc, family collate \"C\"", connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("source", (object?)source ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync();
        var result = new OrderedDictionary<string, long>();
        while (await reader.ReadAsync())
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }
        return result;
    }

    private static Task<int> PaintedPixelsAsync(IPage page, string canvasId) =>
        page.EvaluateAsync<int>($$"""
            () => {
                const canvas = document.getElementById('{{canvasId}}');
                const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let painted = 0;
                for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
                return painted;
            }
            """);
}
