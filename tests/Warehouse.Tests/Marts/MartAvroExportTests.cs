using Warehouse.Core.Avro;
using Warehouse.Core.Marts;
using Warehouse.Tests.Avro;
using Xunit;

namespace Warehouse.Tests.Marts;

/// <summary><c>export --format avro</c>: Apache's generic writer with the report schema; our reader reads back what the mart held.</summary>
public sealed class MartAvroExportTests
{
    [Fact]
    public void WriteAvro_CampaignPerformance_ReadsBackWithTimestampsArraysAndBooleans()
    {
        var start = new DateTime(2019, 8, 27, 0, 7, 5, DateTimeKind.Unspecified).AddTicks(10);
        var table = new MartTable("campaign_performance",
            ["user_id", "session_start", "session_end", "campaigns", "rewards_issued", "reward_driven_by_campaign_view"],
            [
                ["2000020076516", start, start.AddMinutes(3), new[] { "42", "7" }, Array.Empty<string>(), false],
                ["u2", start.AddDays(-20_000), start.AddDays(-20_000), new[] { "1" }, new[] { "1529" }, true],
            ]);
        var output = new MemoryStream();

        MartExporter.WriteAvro(table, ReportSchemas.For("campaign_performance"), output);

        using var reader = new AvroContainerReader(new MemoryStream(output.ToArray()), "campaign_performance.avro");
        Assert.Equal("warehouse.reports.CampaignPerformance", reader.Schema.Fullname);
        Assert.Equal(AvroCodec.Deflate, reader.Codec);
        var records = reader.ReadRecords().Cast<AvroRecord>().ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal("2000020076516", records[0]["user_id"]);
        Assert.Equal(1_566_864_425_000_001L, records[0]["session_start"]); // 2019-08-27T00:07:05.000001Z
        Assert.Equal(1_566_864_425_000_001L + 180_000_000L, records[0]["session_end"]);
        Assert.Equal(new object?[] { "42", "7" }, (List<object?>)records[0]["campaigns"]!);
        Assert.Empty((List<object?>)records[0]["rewards_issued"]!);
        Assert.Equal(true, records[1]["reward_driven_by_campaign_view"]);
        Assert.True((long)records[1]["session_start"]! < 0, "a session before 1970 keeps its sign");
    }

    [Fact]
    public void WriteAvro_DailySessions_StoresDatesAsDaysAndNullableDoubles()
    {
        var table = new MartTable("daily_sessions",
            ["source", "session_date", "sessions", "users", "events", "median_duration_seconds"],
            [
                ["http_log", new DateOnly(2019, 8, 27), 12L, 5, 40L, 31.5m],
                ["clickstream", new DateOnly(1969, 12, 31), 1L, 1L, 1L, null],
            ]);
        var output = new MemoryStream();

        MartExporter.WriteAvro(table, ReportSchemas.For("daily_sessions"), output);

        var records = AvroTestSupport.ReadAll(output.ToArray()).Cast<AvroRecord>().ToList();
        Assert.Equal(18_135, records[0]["session_date"]);
        Assert.Equal(5L, records[0]["users"]);
        Assert.Equal(31.5, records[0]["median_duration_seconds"]);
        Assert.Equal(-1, records[1]["session_date"]);
        Assert.Null(records[1]["median_duration_seconds"]);
    }
}
