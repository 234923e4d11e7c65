namespace Bff.Testing;

/// <summary>Finds folders of the repository from wherever the tests run.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Idp => Path.Combine(Root, "dev", "idp");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bff.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Bff.sln not found above " + AppContext.BaseDirectory);
    }
}
