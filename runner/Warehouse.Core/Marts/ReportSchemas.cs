namespace Warehouse.Core.Marts;

/// <summary>The hand-written Avro report schemas of the marts (models/reports/*.avsc, embedded in the assembly).</summary>
public static class ReportSchemas
{
    public static string For(string mart)
    {
        MartCatalog.Require(mart);
        using var stream = typeof(ReportSchemas).Assembly.GetManifestResourceStream($"reports/{mart}.avsc")
            ?? throw new WarehouseException($"no report schema for {mart} (models/reports/{mart}.avsc)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
