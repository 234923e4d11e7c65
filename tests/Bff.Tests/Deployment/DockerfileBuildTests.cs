using System.Diagnostics;

namespace Bff.Tests.Deployment;

/// <summary>Builds that need the machine to themselves: run after the parallel tests, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialBuilds
{
    public const string Name = "Serial builds";
}

/// <summary>
/// There is no container engine here, so each Dockerfile's build stage is replayed by hand: exactly the files its
/// <c>COPY</c> lines take from the repository (as the <c>.dockerignore</c> leaves them) go into an empty folder, and
/// its <c>RUN</c> lines run there. A file the build needs but the Dockerfile does not copy (the analyzer settings in
/// <c>.editorconfig</c> once) fails here instead of in the image build.
/// </summary>
[Collection(SerialBuilds.Name)]
public sealed class DockerfileBuildTests
{
    // What .dockerignore keeps out of the build context, as folder names.
    private static readonly string[] IgnoredFolders = ["bin", "obj", "node_modules", "wwwroot", "TestResults"];

    [Theory]
    [InlineData("bff/Dockerfile")]
    [InlineData("dev/Api/Dockerfile")]
    public async Task The_build_stage_compiles_from_what_the_Dockerfile_copies(string dockerfile)
    {
        var stage = BuildStage(File.ReadAllLines(Path.Combine(RepositoryPaths.Root, dockerfile)));
        var context = Directory.CreateTempSubdirectory("bff-docker-context-").FullName;
        var output = Path.Combine(context, "app");
        try
        {
            foreach (var (sources, destination) in stage.Copies)
            {
                foreach (var source in sources)
                {
                    CopyIntoContext(source, destination, context);
                }
            }

            foreach (var command in stage.Runs)
            {
                // The stage's output folder (/app) goes to the scratch folder.
                var (exitCode, log) = await RunAsync(command.Replace(" /app", " " + output, StringComparison.Ordinal), context);
                Assert.True(exitCode == 0, $"`{command}` failed in the build stage of {dockerfile}:\n{log}");
            }

            Assert.NotEmpty(Directory.GetFiles(output, "*.dll"));
        }
        finally
        {
            Directory.Delete(context, recursive: true);
        }
    }

    [Fact]
    public void The_replay_reads_every_copy_and_run_of_the_build_stage()
    {
        var stage = BuildStage(File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "bff/Dockerfile")));

        Assert.Contains(stage.Copies, c => c.Sources.Contains(".editorconfig") && c.Destination == "./");
        Assert.Contains(stage.Copies, c => c.Sources.SequenceEqual(["bff/"]) && c.Destination == "bff/");
        Assert.DoesNotContain(stage.Copies, c => c.Sources.Any(s => s.Contains("wwwroot", StringComparison.Ordinal)));
        Assert.Contains(stage.Runs, r => r.StartsWith("dotnet publish ", StringComparison.Ordinal));
    }

    private sealed record BuildStageLines(List<(string[] Sources, string Destination)> Copies, List<string> Runs);

    /// <summary>The <c>COPY</c> (from the build context, not from another stage) and <c>RUN</c> lines of the stage named <c>build</c>.</summary>
    private static BuildStageLines BuildStage(string[] lines)
    {
        var copies = new List<(string[], string)>();
        var runs = new List<string>();
        var inStage = false;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase))
            {
                inStage = line.EndsWith(" AS build", StringComparison.OrdinalIgnoreCase);
                continue;
            }

            if (!inStage)
            {
                continue;
            }

            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["COPY", .. var arguments] && !arguments[0].StartsWith("--", StringComparison.Ordinal))
            {
                copies.Add((arguments[..^1], arguments[^1]));
            }
            else if (words is ["RUN", ..])
            {
                runs.Add(line["RUN ".Length..]);
            }
        }

        Assert.NotEmpty(copies);
        Assert.NotEmpty(runs);
        return new BuildStageLines(copies, runs);
    }

    private static void CopyIntoContext(string source, string destination, string context)
    {
        var from = Path.Combine(RepositoryPaths.Root, source);
        var to = Path.Combine(context, destination);
        if (Directory.Exists(from))
        {
            CopyFolder(from, to);
            return;
        }

        Assert.True(File.Exists(from), $"The Dockerfile copies '{source}', which the repository does not have.");
        Directory.CreateDirectory(to);
        File.Copy(from, Path.Combine(to, Path.GetFileName(source)), overwrite: true);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }

        foreach (var folder in Directory.GetDirectories(from).Where(d => !IgnoredFolders.Contains(Path.GetFileName(d))))
        {
            CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(string command, string workingDirectory)
    {
        var start = new ProcessStartInfo("bash", ["-c", command])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test run's own MSBuild settings must not leak into the build under test.
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
