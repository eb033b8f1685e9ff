using System.Globalization;
using Warehouse.Core;
using Avro;
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
            var schema = AvroSchemas.Parse(c.Input);
            var canonical = SchemaNormalization.ToParsingForm(schema);
            Assert.True(c.Canonical == canonical, $"case {c.Id}: canonical form {canonical}, expected {c.Canonical}");
            if (c.Fingerprint is { } fp)
            {
                var fingerprint = SchemaNormalization.ParsingFingerprint64(schema);
                Assert.True(fp == fingerprint, $"case {c.Id}: fingerprint {fingerprint}, expected {fp}");
            }
            // The JSON Apache writes (what our writer's header stores) parses back to the same schema.
            Assert.Equal(c.Canonical, SchemaNormalization.ToParsingForm(AvroSchemas.Parse(schema.ToString())));
        }
    }

    [Theory]
    [InlineData("", "json cannot be null")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[", "Unexpected end of content")]
    [InlineData("\"strnig\"", "not an object: String")]
    [InlineData("42", "not an object: Integer")]
    [InlineData("{\"name\":\"x\"}", "Property type is required")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\"}", "'fields' cannot be null")]
    [InlineData("{\"type\":\"record\",\"fields\":[]}", "name cannot be null")]
    [InlineData("{\"type\":\"record\",\"name\":\"1r\",\"fields\":[]}", "Invalid schema name: \"1r\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"a\",\"type\":\"long\"}]}", "a is a duplicate name")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\"}]}", "'type' was not found for field")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"order\":\"up\"}]}", "'up' was not found")]
    [InlineData("{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[\"A\",\"A\"]}", "Duplicate symbol: A")]
    [InlineData("{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[\"A\"],\"default\":\"B\"}", "Default symbol: B not found")]
    [InlineData("{\"type\":\"enum\",\"name\":\"e\"}", "Enum has no symbols")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"f\",\"size\":-1}", "size must be greater than zero")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"f\"}", "No \"size\" JSON field")]
    [InlineData("{\"type\":\"array\"}", "Array does not have 'items'")]
    [InlineData("{\"type\":\"map\"}", "Map does not have 'values'")]
    [InlineData("[\"int\",\"int\"]", "Duplicate type in union: int")]
    [InlineData("[\"null\",[\"int\"]]", "may not immediately contain other unions")]
    [InlineData("[{\"type\":\"record\",\"name\":\"r\",\"fields\":[]},{\"type\":\"record\",\"name\":\"r\",\"fields\":[]}]", "Duplicate schema name r")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"Missing\"}]}", "Undefined name: Missing")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"int\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "MaxDepth of 64 has been exceeded")]
    // The spec says to ignore a logical type that does not fit its type; Apache.Avro 1.12.2 refuses the schema.
    [InlineData("{\"type\":\"string\",\"logicalType\":\"date\"}", "'date' can only be used with an underlying int type")]
    public void Parse_WhenSchemaIsInvalid_FailsWithClearError(string json, string expectedMessagePart)
    {
        var ex = Assert.Throws<WarehouseException>(() => AvroSchemas.Parse(json));
        Assert.StartsWith("invalid Avro schema: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expectedMessagePart, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Parse_NamesResolveThroughNamespaces_AndRecursiveTypesShareTheDefinition()
    {
        var schema = (RecordSchema)AvroSchemas.Parse("""
            {"type":"record","name":"Node","namespace":"a.b","fields":[
              {"name":"label","type":"string"},
              {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["X","Y"]}},
              {"name":"other","type":"a.b.Kind"},
              {"name":"inner","type":{"type":"record","name":"c.Inner","fields":[{"name":"k","type":"a.b.Kind"}]}},
              {"name":"children","type":{"type":"array","items":"Node"}}]}
            """);
        Assert.Equal("a.b.Node", schema.Fullname);
        Assert.Same(schema.Fields[1].Schema, schema.Fields[2].Schema);
        Assert.Equal("a.b.Kind", schema.Fields[1].Schema.Fullname);
        Assert.Equal("c.Inner", schema.Fields[3].Schema.Fullname);
        Assert.Same(schema, ((ArraySchema)schema.Fields[4].Schema).ItemSchema);
    }

    [Fact]
    public void Parse_LogicalTypes_AreKeptWhenKnownAndIgnoredWhenUnknown()
    {
        var schema = (RecordSchema)AvroSchemas.Parse("""
            {"type":"record","name":"r","fields":[
              {"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
              {"name":"ms","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"day","type":{"type":"int","logicalType":"date"}},
              {"name":"id","type":{"type":"string","logicalType":"uuid"}},
              {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
              {"name":"fixedAmount","type":{"type":"fixed","name":"D","size":4,"logicalType":"decimal","precision":9,"scale":2}},
              {"name":"unknown","type":{"type":"string","logicalType":"postcode"}}]}
            """);
        string?[] expected = ["timestamp-micros", "timestamp-millis", "date", "uuid", "decimal", "decimal", null];
        Assert.Equal(expected, schema.Fields.Select(f => AvroSchemas.LogicalTypeName(f.Schema)).ToArray());
        Assert.Equal(Schema.Type.String, AvroSchemas.Encoded(schema["unknown"].Schema).Tag);
        Assert.DoesNotContain("logicalType", SchemaNormalization.ToParsingForm(schema), StringComparison.Ordinal);
    }
}
