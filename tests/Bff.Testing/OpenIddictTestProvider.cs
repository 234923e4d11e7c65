using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Bff.Testing;

/// <summary>
/// The second, independent provider: OpenIddict's server in dev/OpenIddictProvider, started with <c>dotnet</c> as
/// its own process on a free port (the build of the solution puts it next to the tests' configuration).
/// </summary>
public sealed class OpenIddictTestProvider(TestProviderSetup setup, int refreshTokenReuseLeewaySeconds = 0) : ITestIdentityProvider
{
    private readonly HttpClient _http = new();
    private ExternalProcess? _process;

    public string Authority => $"http://localhost:{setup.Port}/";

    public string ClientId => "bff";

    public string ClientSecret => "bff-openiddict-secret";

    public string Output => _process?.Output ?? "";

    /// <summary>The provider's own sign-out page: signing out there (not through the BFF) ends the provider session.</summary>
    public string SignOutPageUrl => Authority + "account/logout";

    public static string Assembly
    {
        get
        {
            // Same configuration as the test assembly (bin/Release/... or bin/Debug/...).
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            return Path.Combine(RepositoryPaths.Root, "dev", "OpenIddictProvider", "bin", configuration, "net10.0", "OpenIddictProvider.dll");
        }
    }

    public async Task StartAsync()
    {
        if (!File.Exists(Assembly))
        {
            throw new FileNotFoundException("Build the solution first (dotnet build Bff.sln): the OpenIddict provider is missing.", Assembly);
        }

        _process = ExternalProcess.Start("dotnet",
        [
            Assembly,
            $"--Provider:Port={setup.Port}",
            $"--Provider:BffOrigins={string.Join(",", setup.BffOrigins)}",
            $"--Provider:ClientSecret={ClientSecret}",
            $"--Provider:AccessTokenLifetimeSeconds={setup.AccessTokenLifetimeSeconds}",
            $"--Provider:RefreshTokenReuseLeewaySeconds={refreshTokenReuseLeewaySeconds}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:OpenIddictProvider=Information",
        ], Path.GetDirectoryName(Assembly)!);
        await _process.WaitUntilAsync(
            async () => (await _http.GetAsync(Authority + ".well-known/openid-configuration")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60),
            "The OpenIddict provider");
    }

    /// <summary>Posts a refresh-token grant as the BFF would, and returns the provider's answer.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> RefreshAsync(string refreshToken)
    {
        using var response = await _http.PostAsync(Authority + "connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
        }));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }

        _http.Dispose();
    }
}
