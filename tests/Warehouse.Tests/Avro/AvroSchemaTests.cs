using System.Globalization;
using Warehouse.Core;
using Warehouse.Core.Avro;
using Xunit;

namespace Warehouse.Tests.Avro;

public sealed class AvroSchemaTests
{
    private sealed record SchemaCase(string Id, string Input, string Canonical, long? Fingerprint);

    /// <summary>
    /// Reads Apache's schema-tests.txt: cases start with "// NNN"; "&lt;&lt;INPUT x" is a one-line input and
    /// "&lt;&lt;INPUT" alone starts a multi-line input ended by a line "INPUT"; then "&lt;&lt;canonical" and an
    /// optional "&lt;&lt;fingerprint". Other "//" lines are comments.
    /// </summary>
    private static List<SchemaCase> LoadCases()
    {
        var cases = new List<SchemaCase>();
        var lines = File.ReadAllLines(AvroTestSupport.DataFile("schema-tests.txt"));
        string? id = null, input = null, canonical = null;
        long? fingerprint = null;
        void Flush()
        {
            if (id is not null && input is not null && canonical is not null)
            {
                cases.Add(new SchemaCase(id, input, canonical, fingerprint));
            }
            input = canonical = null;
            fingerprint = null;
        }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("// ", StringComparison.Ordinal) && line.Length == 6 && line[3..].All(char.IsAsciiDigit))
            {
                Flush();
                id = line[3..];
            }
            else if (line == "<<INPUT")
            {
                var body = new List<string>();
                while (lines[++i] != "INPUT")
                {
                    body.Add(lines[i]);
                }
                input = string.Join('\n', body);
            }
            else if (line.StartsWith("<<INPUT ", StringComparison.Ordinal))
            {
                input = line["<<INPUT ".Length..];
            }
            else if (line.StartsWith("<<canonical ", StringComparison.Ordinal))
            {
                canonical = line["<<canonical ".Length..];
            }
            else if (line.StartsWith("<<fingerprint ", StringComparison.Ordinal))
            {
                fingerprint = long.Parse(line["<<fingerprint ".Length..], CultureInfo.InvariantCulture);
            }
        }
        Flush();
        return cases;
    }

    [Fact]
    public void Parse_ApacheSchemaTestCases_GiveTheCanonicalFormAndFingerprint()
    {
        var cases = LoadCases();
        Assert.True(cases.Count >= 30, $"expected the 34 cases of schema-tests.txt, parsed {cases.Count}");
        foreach (var c in cases)
        {
            var schema = AvroSchema.Parse(c.Input);
            Assert.True(c.Canonical == schema.ToCanonicalJson(), $"case {c.Id}: canonical form {schema.ToCanonicalJson()}, expected {c.Canonical}");
            if (c.Fingerprint is { } fp)
            {
                Assert.True(fp == schema.Fingerprint64(), $"case {c.Id}: fingerprint {schema.Fingerprint64()}, expected {fp}");
            }
            // ToJson must itself parse back to the same schema.
            Assert.Equal(c.Canonical, AvroSchema.Parse(schema.ToJson()).ToCanonicalJson());
        }
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[", "not valid JSON")]
    [InlineData("\"strnig\"", "unknown type \"strnig\"")]
    [InlineData("42", "the number 42")]
    [InlineData("{\"name\":\"x\"}", "no \"type\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\"}", "no \"fields\"")]
    [InlineData("{\"type\":\"record\",\"fields\":[]}", "needs a string \"name\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"1r\",\"fields\":[]}", "not a valid Avro name")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"a\",\"type\":\"long\"}]}", "two fields named \"a\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\"}]}", "has no \"type\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"order\":\"up\"}]}", "order must be")]
    [InlineData("{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[\"A\",\"A\"]}", "symbol \"A\" twice")]
    [InlineData("{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[\"A\"],\"default\":\"B\"}", "not one of its symbols")]
    [InlineData("{\"type\":\"enum\",\"name\":\"e\"}", "no \"symbols\"")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"f\",\"size\":-1}", "non-negative integer \"size\"")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"f\"}", "non-negative integer \"size\"")]
    [InlineData("{\"type\":\"array\"}", "no \"items\"")]
    [InlineData("{\"type\":\"map\"}", "no \"values\"")]
    [InlineData("[\"int\",\"int\"]", "contains int more than once")]
    [InlineData("[\"null\",[\"int\"]]", "may not immediately contain another union")]
    [InlineData("[{\"type\":\"record\",\"name\":\"r\",\"fields\":[]},{\"type\":\"record\",\"name\":\"r\",\"fields\":[]}]", "defined twice")]
    [InlineData("{\"type\":\"record\",\"name\":\"int\",\"fields\":[]}", "primitive type \"int\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"Missing\"}]}", "unknown type \"Missing\"")]
    public void Parse_WhenSchemaIsInvalid_FailsWithClearError(string json, string expectedMessagePart)
    {
        var ex = Assert.Throws<WarehouseException>(() => AvroSchema.Parse(json));
        Assert.StartsWith("invalid Avro schema: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expectedMessagePart, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Parse_NamesResolveThroughNamespaces_AndRecursiveTypesShareTheDefinition()
    {
        var schema = AvroSchema.Parse("""
            {"type":"record","name":"Node","namespace":"a.b","fields":[
              {"name":"label","type":"string"},
              {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["X","Y"]}},
              {"name":"other","type":"a.b.Kind"},
              {"name":"inner","type":{"type":"record","name":"c.Inner","fields":[{"name":"k","type":"a.b.Kind"}]}},
              {"name":"children","type":{"type":"array","items":"Node"}}]}
            """);
        Assert.Equal("a.b.Node", schema.FullName);
        Assert.Same(schema.Fields[1].Schema, schema.Fields[2].Schema);
        Assert.Equal("a.b.Kind", schema.Fields[1].Schema.FullName);
        Assert.Equal("c.Inner", schema.Fields[3].Schema.FullName);
        Assert.Same(schema, schema.Fields[4].Schema.Items);
    }

    [Fact]
    public void Parse_LogicalTypes_AreKeptWhenValidAndIgnoredWhenNot()
    {
        var schema = AvroSchema.Parse("""
            {"type":"record","name":"r","fields":[
              {"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
              {"name":"ms","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"day","type":{"type":"int","logicalType":"date"}},
              {"name":"id","type":{"type":"string","logicalType":"uuid"}},
              {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
              {"name":"fixedAmount","type":{"type":"fixed","name":"D","size":4,"logicalType":"decimal","precision":9,"scale":2}},
              {"name":"tooPrecise","type":{"type":"fixed","name":"E","size":2,"logicalType":"decimal","precision":9}},
              {"name":"wrongBase","type":{"type":"string","logicalType":"date"}}]}
            """);
        string?[] expected = ["timestamp-micros", "timestamp-millis", "date", "uuid", "decimal", "decimal", null, null];
        Assert.Equal(expected, schema.Fields.Select(f => f.Schema.LogicalType).ToArray());
        Assert.Equal(9, schema.Fields[4].Schema.Precision);
        Assert.Equal(2, schema.Fields[4].Schema.Scale);
        // The logical type survives printing, and the canonical form drops it.
        var reparsed = AvroSchema.Parse(schema.ToJson());
        Assert.Equal("timestamp-micros", reparsed.Fields[0].Schema.LogicalType);
        Assert.DoesNotContain("logicalType", schema.ToCanonicalJson(), StringComparison.Ordinal);
    }
}
