using Warehouse.Core.Migrations;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Migrations;

/// <summary>The project's migrations folder: a folder per layer, and the repeatables in a layer folder keep to it.</summary>
public sealed class MigrationLayoutTests
{
    [Theory]
    [InlineData("postgres")]
    [InlineData("redshift")]
    public void ProjectRepeatables_InALayerFolder_CreateObjectsOfThatLayerAndReadNoLaterLayer(string target)
    {
        var problems = new List<string>();
        foreach (var script in MigrationSource.Load(TestDatabase.MigrationsDirectory, target)
            .Where(s => s.Kind == MigrationKind.Repeatable && RepeatableOrder.Layers.Contains(s.Layer)))
        {
            problems.AddRange(RepeatableOrder.CreatedObjects(script.Text)
                .Where(name => !name.StartsWith(script.Layer + ".", StringComparison.Ordinal))
                .Select(name => $"{script.Layer}/{script.FileName} creates {name}"));
            problems.AddRange(RepeatableOrder.NamesIn(script.Text)
                .Where(name => name.Split('.') is [var schema, _] && RepeatableOrder.Layers.Contains(schema)
                    && RepeatableOrder.LayerRank(schema) > RepeatableOrder.LayerRank(script.Layer))
                .Select(name => $"{script.Layer}/{script.FileName} reads {name} of a later layer"));
        }

        Assert.Empty(problems);
    }
}
