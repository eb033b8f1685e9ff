using Avro;
using Newtonsoft.Json.Linq;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Conversion;

public sealed class RawSchemasTests
{
    // The field order of the contract (brief schemas.md); the staging tables follow it column for column.
    public static TheoryData<string, string, string[]> Contract => new()
    {
        { "http-log", "warehouse.raw.HttpLogRequest", ["event_at", "method", "path", "user_id", "source_file", "source_line"] },
        { "webshop-events", "warehouse.raw.WebshopEvent", ["event_id", "event_type", "event_at", "customer_id", "user_agent", "ip",
            "browser_family", "os_family", "device_family", "properties", "source_file", "source_line"] },
        { "device-events", "warehouse.raw.DeviceEvent", ["anonymous_id", "event_at", "name", "browser_family", "os_family",
            "device_family", "source_file", "source_line"] },
        { "clickstream-csv", "warehouse.raw.ClickstreamEvent", ["user_id", "event_at", "product_id", "ip", "user_agent",
            "browser_family", "os_family", "device_family", "source_file", "source_line"] },
    };

    [Theory]
    [MemberData(nameof(Contract))]
    public void Schema_OfEachFormat_FollowsTheContract(string format, string fullName, string[] fields)
    {
        var schema = (RecordSchema)AvroSchemas.Parse(RawFormat.Create(format, "x").SchemaJson);
        Assert.Equal(fullName, schema.Fullname);
        Assert.False(string.IsNullOrWhiteSpace(schema.Documentation));
        Assert.Equal(fields, schema.Fields.Select(f => f.Name));
        Assert.All(schema.Fields, f => Assert.False(string.IsNullOrWhiteSpace(f.Documentation), $"{f.Name} has no doc"));
        var eventAt = schema["event_at"].Schema;
        Assert.Equal((Schema.Type.Long, "timestamp-micros"), (AvroSchemas.Encoded(eventAt).Tag, AvroSchemas.LogicalTypeName(eventAt)));
        Assert.Equal(Schema.Type.String, schema["source_file"].Schema.Tag);
        Assert.Equal(Schema.Type.Long, schema["source_line"].Schema.Tag);
        foreach (var field in schema.Fields.Where(f => f.Schema.Tag == Schema.Type.Union))
        {
            Assert.Equal([Schema.Type.Null, Schema.Type.String], ((UnionSchema)field.Schema).Schemas.Select(b => b.Tag));
            Assert.Equal(JTokenType.Null, field.DefaultValue.Type);
        }
    }

    /// <summary>A format's declared source is the one its records load into: the loader finds it by the Avro record name.</summary>
    [Fact]
    public void Source_OfEachFormat_IsTheSourceOfItsRecord()
    {
        Assert.All(RawFormat.Names, name =>
        {
            var format = RawFormat.Create(name, "x");
            Assert.Equal(format.Source, Warehouse.Core.Load.Sources.ByAvroRecordName(((RecordSchema)AvroSchemas.Parse(format.SchemaJson)).Fullname));
        });
    }

    [Theory]
    [InlineData(RawSchemas.HttpLog)]
    [InlineData(RawSchemas.WebshopEvents)]
    [InlineData(RawSchemas.DeviceEvents)]
    [InlineData(RawSchemas.Clickstream)]
    public void EmbeddedSchema_IsTheFileInModels(string fileName) =>
        Assert.Equal(File.ReadAllText(Path.Combine(TestDatabase.RepoRoot, "models", fileName)), RawSchemas.Json(fileName));
}
