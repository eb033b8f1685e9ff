using System.Text;
using System.Text.Json;
using Npgsql;
using Warehouse.Core.Conversion;
using Warehouse.Core.Load;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Conversion;

/// <summary>
/// What the database would refuse is a reject at convert time, with its line number, and the rest of the file loads:
/// a COPY is all or nothing, so one such line used to fail its whole file.
/// </summary>
public sealed class StorableRecordTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("storable-").FullName;
    // Shared by the class's tests: each loads a file of its own and counts only that load's rows.
    private readonly string _db = database.ConnectionString;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Good(string format, int i) => format switch
    {
        "http-log" => $"2019-08-27T10:{i / 60 % 60:00}:{i % 60:00}Z GET /campaigns/{i} u{i}",
        "clickstream-csv" => $"10.0.0.1,{1554767994 + i},P{i},Mozilla/5.0,u{i}",
        "webshop-events" => $$$"""{"id": {{{i}}}, "type": "page_view", "event": {"timestamp": "2022-04-28T07:38:46", "customer-id": {{{i}}}, "page": "/p/{{{i}}}"}}""",
        "device-events" => $$$"""{"anonymous_id": "a{{{i}}}", "device_sent_timestamp": {{{1554767994401 + i}}}, "name": "screen_view"}""",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static readonly string LongUser = new('u', 10 * 1024);
    private static readonly string LongPath = "/" + new string('p', 4999);

    public static TheoryData<string, string, string> Refused => new()
    {
        { "http-log", "2019-08-27T10:00:00Z GET /a\0b u1", "field 'path' contains a NUL character (U+0000)" },
        { "http-log", $"2019-08-27T10:00:00Z GET /a {LongUser}", "field 'user_id' is 10,240 bytes long; its staging column holds at most 256" },
        { "http-log", $"2019-08-27T10:00:00Z GET {LongPath} u1", "field 'path' is 5,000 bytes long; its staging column holds at most 4,096" },
        { "clickstream-csv", "10.0.0.1,1554767994,P\01,Mozilla/5.0,u1", "field 'product_id' contains a NUL character (U+0000)" },
        { "webshop-events", """{"id": 1, "type": "page_view", "event": {"timestamp": "2022-04-28T07:38:46", "customer-id": "c\u0000d"}}""", "field 'customer_id' contains a NUL character (U+0000)" },
        { "webshop-events", """{"id": 1, "type": "page_view", "event": {"timestamp": "2022-04-28T07:38:46", "page": "/\ud800"}}""", "invalid JSON: the value of 'event.page' holds an unpaired surrogate escape" },
        { "device-events", """{"anonymous_id": "a\u0000", "device_sent_timestamp": 1554767994401}""", "field 'anonymous_id' contains a NUL character (U+0000)" },
        { "device-events", """{"anonymous_id": "\udfff", "device_sent_timestamp": 1554767994401}""", "invalid JSON: the value of 'anonymous_id' holds an unpaired surrogate escape" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Convert_ALineTheDatabaseWouldRefuse_IsRejectedWithItsLineNumberAndTheFileLoads(string format, string bad, string reason)
    {
        var header = format == "clickstream-csv" ? "ip,original_timestamp,productId,userAgent,userId\n" : "";
        var lines = Enumerable.Range(1, 1000).Select(i => Good(format, i)).Append(bad).Concat(Enumerable.Range(1001, 5).Select(i => Good(format, i)));
        var raw = Encoding.UTF8.GetBytes(header + string.Join("\n", lines) + "\n");
        var avro = Path.Combine(_folder, $"{Guid.NewGuid():N}.avro");
        var rejects = new StringWriter();

        ConvertResult result;
        using (var output = File.Create(avro))
        {
            result = RawConverter.Convert(format, new MemoryStream(raw), "raw.txt", output, rejects: rejects);
        }
        var loaded = await new StagingLoader(_db).LoadAvroAsync(avro);

        var reject = JsonDocument.Parse(Assert.Single(rejects.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        Assert.Equal(1001 + (header.Length > 0 ? 1 : 0), reject.GetProperty("line").GetInt64());
        Assert.StartsWith(reason, reject.GetProperty("reason").GetString());
        Assert.Equal((1005L, 1L), (result.RecordsWritten, result.Rejected));
        Assert.Equal(1005, loaded.Rows);
    }

    /// <summary>Today's parsers range-check their timestamps themselves; the check stands behind any that does not.</summary>
    [Theory]
    [InlineData(Timestamps.MaxStorableMicros, null)]
    [InlineData(Timestamps.MaxStorableMicros + 1, "field 'event_at' is outside years 1-9999")]
    [InlineData(Timestamps.MinStorableMicros - 1, "field 'event_at' is outside years 1-9999")]
    public void Check_ATimestampOutsideYears1To9999_IsRefused(long micros, string? reason)
    {
        var encoder = new Warehouse.Core.Avro.AvroEncoder();
        encoder.WriteLong(micros);
        foreach (var value in (string[])["GET", "/a", "u1", "http_log.txt"])
        {
            encoder.WriteString(value);
        }
        encoder.WriteLong(1);

        Assert.Equal(reason, StorableRecordCheck.ForSchema(RawSchemas.Json(RawSchemas.HttpLog)).Check(encoder.WrittenSpan));
    }

    [Fact]
    public void Convert_AValueOfExactlyTheColumnsSize_IsKept()
    {
        var line = $"2019-08-27T10:00:00Z GET /a {new string('u', 256)}";

        var result = RawConverter.Convert("http-log", new MemoryStream(Encoding.UTF8.GetBytes(line + "\n")), "raw.txt", new MemoryStream());

        Assert.Equal((1L, 0L), (result.RecordsWritten, result.Rejected));
    }

    public static TheoryData<string, string> Schemas => new()
    {
        { RawSchemas.HttpLog, "staging.http_log" },
        { RawSchemas.WebshopEvents, "staging.webshop_events" },
        { RawSchemas.DeviceEvents, "staging.device_events" },
        { RawSchemas.Clickstream, "staging.clickstream" },
    };

    /// <summary>The limits the converter checks are written in models/*.avsc; this keeps them equal to the staging columns.</summary>
    [Theory]
    [MemberData(nameof(Schemas))]
    public async Task MaxLength_OfEveryStringField_IsItsStagingColumnsSize(string schemaFile, string table)
    {
        var fromSchema = JsonDocument.Parse(RawSchemas.Json(schemaFile)).RootElement.GetProperty("fields").EnumerateArray()
            .Where(f => f.TryGetProperty("maxLength", out _))
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("maxLength").GetInt32());
        var fromTable = new Dictionary<string, int>();
        await using (var connection = new NpgsqlConnection(_db))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                select column_name, character_maximum_length from information_schema.columns
                where table_schema = 'staging' and table_name = @table and data_type = 'character varying'
                """, connection);
            command.Parameters.AddWithValue("table", table.Split('.')[1]);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                fromTable[reader.GetString(0)] = reader.GetInt32(1);
            }
        }

        Assert.NotEmpty(fromTable);
        Assert.Equal(fromTable.OrderBy(c => c.Key), fromSchema.OrderBy(c => c.Key));
    }
}
