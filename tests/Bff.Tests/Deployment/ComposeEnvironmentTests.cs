using System.Net;
using System.Text.RegularExpressions;
using Bff.Host;
using Microsoft.Extensions.Configuration;

namespace Bff.Tests.Deployment;

/// <summary>
/// Every environment variable docker-compose.yml gives the BFF is a configuration key the app really reads:
/// a misspelt key would otherwise be ignored without a word, and the container would run on defaults.
/// </summary>
public sealed partial class ComposeEnvironmentTests
{
    private static readonly string ComposeFile = Path.Combine(RepositoryPaths.Root, "docker-compose.yml");

    // Variables the framework and the OpenTelemetry SDK read themselves.
    private static readonly string[] FrameworkPrefixes = ["ASPNETCORE_", "DOTNET_", "OTEL_"];

    /// <summary>The BFF services' environment, as written under the shared <c>&amp;bff-environment</c> anchor.</summary>
    private static Dictionary<string, string> BffEnvironment()
    {
        var lines = File.ReadAllLines(ComposeFile);
        var start = Array.FindIndex(lines, l => l.TrimEnd().EndsWith("environment: &bff-environment", StringComparison.Ordinal));
        Assert.True(start >= 0, "docker-compose.yml has no '&bff-environment' block");

        var indent = lines[start + 1].Length - lines[start + 1].TrimStart().Length;
        var variables = new Dictionary<string, string>();
        foreach (var line in lines.Skip(start + 1))
        {
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.Length - line.TrimStart().Length < indent)
            {
                break;
            }

            var match = VariablePattern().Match(line);
            Assert.True(match.Success, "Write each variable as KEY: \"value\": " + line);
            variables[match.Groups["key"].Value] = match.Groups["value"].Value;
        }

        return variables;
    }

    private static Dictionary<string, string?> AsConfiguration(Dictionary<string, string> environment) =>
        environment
            .Where(v => !FrameworkPrefixes.Any(p => v.Key.StartsWith(p, StringComparison.Ordinal)))
            .ToDictionary(v => v.Key.Replace("__", ":", StringComparison.Ordinal), v => (string?)v.Value);

    [Fact]
    public void Every_bff_variable_is_a_known_configuration_key()
    {
        var settings = AsConfiguration(BffEnvironment());
        Assert.Contains("Bff:Authority", settings.Keys);

        var unknownRoots = settings.Keys.Where(k => !k.StartsWith("Bff:", StringComparison.Ordinal) &&
                                                    !k.StartsWith("ReverseProxy:", StringComparison.Ordinal) &&
                                                    k != "ConnectionStrings:Redis").ToList();
        Assert.Empty(unknownRoots);

        // Bound as the host binds them, refusing any key that matches no property.
        Action<BinderOptions> strict = o => o.ErrorOnUnknownConfiguration = true;
        var bff = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Where(s => !s.Key.StartsWith("Bff:Redis:", StringComparison.Ordinal)))
            .Build();
        bff.GetSection("Bff").Bind(new BffOptions(), strict);
        var redis = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        redis.GetSection("Bff:Redis").Bind(new RedisOptions(), strict);
    }

    [Fact]
    public async Task The_bff_starts_and_is_live_with_exactly_that_environment()
    {
        var environment = BffEnvironment();
        Assert.Equal("5003", environment["ASPNETCORE_HTTP_PORTS"]);

        var arguments = AsConfiguration(environment)
            .Select(s => $"--{s.Key}={s.Value}")
            .Append("--urls=http://127.0.0.1:0")
            .Append("--environment=Production")
            .Append("--Logging:LogLevel:Default=None")
            .ToArray();
        await using var app = BffHostApp.Create(arguments);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient();
            using var live = await http.GetAsync(app.Urls.Single() + "/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [GeneratedRegex("""^\s+(?<key>[A-Za-z_][A-Za-z0-9_.]*):\s*"(?<value>[^"]*)"\s*(#.*)?$""")]
    private static partial Regex VariablePattern();
}
