using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Bff.Tests.Architecture;

/// <summary>
/// The library's folders depend on each other in one direction only (the order of a request: edge and
/// anti-forgery, then session, token and proxy, with sign-in and endpoints beside them). A folder is a
/// top-level folder of <c>bff/Bff</c>, whose namespace is <c>Bff.&lt;folder&gt;</c>; it depends on another when
/// one of its files imports or names that namespace (comments and string literals aside).
/// </summary>
public sealed partial class FolderDependencyTests(ITestOutputHelper output)
{
    [Fact]
    public void No_two_folders_depend_on_each_other_even_through_others()
    {
        var graph = FolderGraph.Read(Path.Combine(RepositoryPaths.Root, "bff", "Bff"));
        output.WriteLine(graph.Describe());

        var cycle = graph.FindCycle();

        Assert.True(cycle is null, $"Folder dependency cycle: {string.Join(" → ", cycle ?? [])}");
    }

    [Fact]
    public void The_settings_model_and_the_composition_root_sit_at_the_two_ends()
    {
        var graph = FolderGraph.Read(Path.Combine(RepositoryPaths.Root, "bff", "Bff"));

        // Every part may read the settings; the settings know no part.
        Assert.Empty(graph.DependenciesOf("Configuration").Except(["Logging", "Diagnostics"]));
        // Only the composition root knows every part; no part knows it.
        Assert.DoesNotContain(graph.Folders, folder => graph.DependenciesOf(folder).Contains("Hosting"));
    }

    [Fact]
    public void The_reader_sees_imports_and_qualified_names_but_not_comments()
    {
        var dependencies = FolderGraph.DependenciesIn("""
            using Bff.Sessions;
            using Bff.Sessions.Audit;
            namespace Bff.Tokens;
            // Bff.Proxy is only mentioned here.
            /// <see cref="Bff.Endpoints.LoginEndpoint"/>
            internal sealed class X { Bff.Distributed.ILockLease? lease; string key = "Bff.TokenType"; }
            """);

        Assert.Equal(["Distributed", "Sessions"], dependencies.Order());
    }

    private sealed partial class FolderGraph
    {
        private readonly SortedDictionary<string, SortedSet<string>> _edges = new(StringComparer.Ordinal);

        public IEnumerable<string> Folders => _edges.Keys;

        public IReadOnlySet<string> DependenciesOf(string folder) =>
            _edges.TryGetValue(folder, out var edges) ? edges : new SortedSet<string>();

        public static FolderGraph Read(string libraryRoot)
        {
            var graph = new FolderGraph();
            foreach (var file in Directory.EnumerateFiles(libraryRoot, "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ||
                    file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                {
                    continue;
                }

                var folder = Path.GetRelativePath(libraryRoot, file).Split(Path.DirectorySeparatorChar) switch
                {
                    [var top, _, ..] => top,
                    _ => null, // a file at the root belongs to no folder
                };
                if (folder is null)
                {
                    continue;
                }

                var edges = graph.Edges(folder);
                foreach (var dependency in DependenciesIn(File.ReadAllText(file)).Where(d => d != folder))
                {
                    edges.Add(dependency);
                    graph.Edges(dependency);
                }
            }

            return graph;
        }

        public static IEnumerable<string> DependenciesIn(string source)
        {
            var code = CommentOrString().Replace(source, "");
            var own = Namespace().Match(code) is { Success: true } m ? m.Groups["folder"].Value : null;
            return Reference().Matches(code)
                .Select(r => r.Groups["folder"].Value)
                .Where(f => f != own)
                .Distinct(StringComparer.Ordinal);
        }

        /// <summary>A cycle as the list of folders along it (first repeated at the end), or null.</summary>
        public IReadOnlyList<string>? FindCycle()
        {
            var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path, true: done
            var path = new List<string>();

            List<string>? Visit(string folder)
            {
                if (state.TryGetValue(folder, out var done))
                {
                    return done ? null : [.. path.Skip(path.IndexOf(folder)), folder];
                }

                state[folder] = false;
                path.Add(folder);
                foreach (var next in DependenciesOf(folder))
                {
                    if (Visit(next) is { } cycle)
                    {
                        return cycle;
                    }
                }

                path.RemoveAt(path.Count - 1);
                state[folder] = true;
                return null;
            }

            return _edges.Keys.Select(Visit).FirstOrDefault(c => c is not null);
        }

        public string Describe() =>
            string.Join("\n", _edges.Select(e => $"{e.Key} → {(e.Value.Count == 0 ? "(nothing)" : string.Join(", ", e.Value))}"));

        private SortedSet<string> Edges(string folder)
        {
            if (!_edges.TryGetValue(folder, out var edges))
            {
                _edges[folder] = edges = new SortedSet<string>(StringComparer.Ordinal);
            }

            return edges;
        }

        [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|"""""".*?""""""|@""(?:""""|[^""])*""|""(?:\\.|[^""\\\n])*""", RegexOptions.Singleline)]
        private static partial Regex CommentOrString();

        [GeneratedRegex(@"^namespace\s+Bff\.(?<folder>[A-Za-z]+)", RegexOptions.Multiline)]
        private static partial Regex Namespace();

        [GeneratedRegex(@"(?<![\w.])Bff\.(?<folder>[A-Z][A-Za-z]*)\b(?!\s*;\s*$)|^using\s+Bff\.(?<folder>[A-Z][A-Za-z]*)", RegexOptions.Multiline)]
        private static partial Regex Reference();
    }
}
