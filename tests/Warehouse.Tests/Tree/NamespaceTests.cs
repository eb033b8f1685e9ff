using System.Text.RegularExpressions;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Tree;

/// <summary>A type is found where its namespace says: every C# file's namespace is its project's name and its folders.</summary>
public sealed partial class NamespaceTests
{
    [Fact]
    public void EveryCsFile_DeclaresTheNamespaceOfItsFolder()
    {
        var projects = new[] { "runner", "tests", "bench" }
            .Select(folder => Path.Combine(TestDatabase.RepoRoot, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.csproj", SearchOption.AllDirectories))
            .Select(Path.GetDirectoryName)
            .ToList();
        Assert.NotEmpty(projects);

        var mismatches = new List<string>();
        foreach (var project in projects)
        {
            foreach (var file in Directory.EnumerateFiles(project!, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(project!, file);
                if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
                {
                    continue;
                }
                // Top-level statements (Program.cs) declare no namespace.
                var declared = NamespaceLine().Match(File.ReadAllText(file));
                if (!declared.Success)
                {
                    continue;
                }
                var folders = Path.GetDirectoryName(relative)!;
                var expected = string.Join('.', new[] { Path.GetFileName(project!) }
                    .Concat(folders.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries)));
                if (declared.Groups[1].Value != expected)
                {
                    mismatches.Add($"{Path.GetRelativePath(TestDatabase.RepoRoot, file)}: namespace {declared.Groups[1].Value}, folder says {expected}");
                }
            }
        }
        Assert.Empty(mismatches);
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
