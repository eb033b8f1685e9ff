using Warehouse.Core;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Load;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Load;

public sealed class StagingLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("load-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string HttpLogAvro(string name, params string[] lines) => TestFiles.HttpLogAvro(_folder, name, lines);

    [Fact]
    public async Task LoadAvro_TheSameFileTwice_LoadsItOnceAndSaysSo()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(LoadAvro_TheSameFileTwice_LoadsItOnceAndSaysSo));
        var file = HttpLogAvro("a.avro", "2019-08-27T00:07:05+00:00 POST /rewards/1529 u1", "2019-08-27T00:08:06Z GET /campaigns/7 u1");
        var loader = new StagingLoader(db);

        var first = await loader.LoadAvroAsync(file);
        var second = await loader.LoadAvroAsync(file);

        Assert.Equal((2, false), (first.Rows, first.AlreadyLoaded));
        Assert.True(second.AlreadyLoaded);
        Assert.Equal(2, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.loaded_files where source = 'http_log' and row_count = 2"));
    }

    [Fact]
    public async Task LoadAvro_KeepsLineageAndUtcTimestamps()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(LoadAvro_KeepsLineageAndUtcTimestamps));
        var file = HttpLogAvro("b.avro", "", "2019-08-27T05:37:05.5+05:30 GET /campaigns/7 u1");

        await new StagingLoader(db).LoadAvroAsync(file);

        Assert.Equal("http_log.txt:2:2019-08-27 00:07:05.5+00",
            await TestDatabase.ScalarAsync<string>(db, "select source_file || ':' || source_line || ':' || (event_at at time zone 'UTC')::varchar || '+00' from staging.http_log"));
    }

    [Fact]
    public async Task LoadAvro_WhenTheDatabaseRefusesARecord_NamesItAndLeavesNoRowsAndNoManifestEntry()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(LoadAvro_WhenTheDatabaseRefusesARecord_NamesItAndLeavesNoRowsAndNoManifestEntry));
        // Written past the converter (which rejects such a line): 5,000 good records, then a user id longer than the
        // staging column allows, then more good ones. The database refuses record 5,001.
        var file = Path.Combine(_folder, "c.avro");
        using (var writer = new AvroContainerWriter(File.Create(file), RawSchemas.Json(RawSchemas.HttpLog)))
        {
            for (var i = 1; i <= 6000; i++)
            {
                var e = writer.Encoder;
                e.WriteLong(1_566_864_425_000_000 + i);
                e.WriteString("GET");
                e.WriteString($"/campaigns/{i}");
                e.WriteString(i == 5001 ? new string('x', 5000) : $"u{i}");
                e.WriteString("http_log.txt");
                e.WriteLong(i);
                writer.EndRecord();
            }
        }

        var error = await Assert.ThrowsAsync<WarehouseException>(() => new StagingLoader(db).LoadAvroAsync(file));

        Assert.Contains("refused record 5,001:", error.Message);
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.loaded_files"));
    }

    [Fact]
    public async Task LoadAvro_OfAnUnknownRecord_FailsNamingTheRecord()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(LoadAvro_OfAnUnknownRecord_FailsNamingTheRecord));
        var path = Path.Combine(TestDatabase.SharedData, "avro", "weather.avro");

        var error = await Assert.ThrowsAsync<WarehouseException>(() => new StagingLoader(db).LoadAvroAsync(path));

        Assert.Contains("test.Weather is not a known source", error.Message);
    }

    [Fact]
    public async Task LoadMapping_RemovesDuplicatePairsWithinAndAcrossFiles()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(LoadMapping_RemovesDuplicatePairsWithinAndAcrossFiles));
        var first = Path.Combine(_folder, "campaign_reward_mapping.csv");
        var second = Path.Combine(_folder, "campaign_reward_mapping_2.csv");
        File.WriteAllText(first, "campaign_id,reward_id\n1,10\n1,10\n2,20\n");
        File.WriteAllText(second, "campaign_id,reward_id\n2,20\n3,30\n");
        var loader = new StagingLoader(db);

        var a = await loader.LoadMappingAsync(first);
        var b = await loader.LoadMappingAsync(second);

        Assert.Equal((2, 1), (a.Rows, b.Rows));
        Assert.Equal(3, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.campaign_reward_mapping"));
    }

    [Fact]
    public async Task LoadMapping_RealPerxMapping_KeepsEachDistinctPairOnce()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(LoadMapping_RealPerxMapping_KeepsEachDistinctPairOnce));

        var loaded = await new StagingLoader(db).LoadMappingAsync(Path.Combine(TestDatabase.SharedData, "perx", "campaign_reward_mapping.csv"));

        Assert.Equal(1761, loaded.Rows);
    }

    [Fact]
    public void ReadMapping_WithBadRow_FailsNamingTheLine()
    {
        var path = Path.Combine(_folder, "campaign_reward_mapping.csv");
        File.WriteAllText(path, "campaign_id,reward_id\n1,10\n1;10\n7\0,99\n");

        var error = Assert.Throws<WarehouseException>(() => StagingLoader.ReadMapping(path));

        Assert.Equal("campaign_reward_mapping.csv:3: expected two ids 'campaign_id,reward_id' (letters, digits, - and _, at most 64 each), found '1;10'", error.Message);
    }

    [Fact]
    public void ReadMapping_WithAControlCharacterInARow_ShowsItEscaped()
    {
        var path = Path.Combine(_folder, "campaign_reward_mapping.csv");
        File.WriteAllText(path, "campaign_id,reward_id\n1,10\n7\0,99\n");

        var error = Assert.Throws<WarehouseException>(() => StagingLoader.ReadMapping(path));

        Assert.EndsWith(":3: expected two ids 'campaign_id,reward_id' (letters, digits, - and _, at most 64 each), found '7\\u0000,99'", error.Message);
    }
}
