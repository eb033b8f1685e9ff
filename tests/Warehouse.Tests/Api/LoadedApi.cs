using System.Net;
using System.Text.Json;

namespace Warehouse.Tests.Api;

/// <summary>
/// Shared by the tests of one class: a database loaded with <see cref="ApiTestData"/> (plus what a subclass adds in
/// <see cref="AddDataAsync"/>) and the API over it.
/// </summary>
public class LoadedApi : IAsyncLifetime
{
    private readonly string _prefix;

    public LoadedApi() : this("api")
    {
    }

    protected LoadedApi(string prefix) => _prefix = prefix;

    public string Database { get; private set; } = "";
    public ApiFactory Factory { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await ApiTestData.CreateLoadedDatabaseAsync(_prefix);
        await AddDataAsync(Database);
        Factory = new ApiFactory(ApiTestData.ApiConnectionString(Database));
        Client = Factory.CreateClient();
    }

    /// <summary>Rows a test class needs beyond the common data set, written before the API starts.</summary>
    protected virtual Task AddDataAsync(string database) => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }

    /// <summary>GETs <paramref name="path"/>, asserts a 200 JSON answer and returns its body.</summary>
    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}

/// <summary>The loaded database with its access log (<see cref="ApiTestData.AddAccessLogAsync"/>), and the API over it.</summary>
public sealed class LoadedTrafficApi() : LoadedApi("traffic")
{
    protected override Task AddDataAsync(string database) => ApiTestData.AddAccessLogAsync(database);
}

/// <summary>The loaded database with <see cref="ApiTestData.AddCampaignDaysAsync"/>, and the API over it.</summary>
public sealed class CampaignDaysApi() : LoadedApi("topcampaigns")
{
    protected override Task AddDataAsync(string database) => ApiTestData.AddCampaignDaysAsync(database);
}
