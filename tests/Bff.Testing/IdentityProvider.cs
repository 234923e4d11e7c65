using System.Net.Http.Json;
using System.Text.Json;

namespace Bff.Testing;

/// <summary>The development identity provider (node oidc-provider from dev/idp), started on a free port with test hooks on.</summary>
public sealed class IdentityProvider : ITestIdentityProvider
{
    public const string ClientId = "bff";
    public const string ClientSecret = "bff-dev-secret";

    private readonly TestProviderSetup _setup;
    private ExternalProcess? _process;
    private readonly HttpClient _http = new();

    public IdentityProvider(TestProviderSetup setup)
    {
        _setup = setup;
        // Keys, grants and sessions survive a stop and start (an outage), as a real provider's would.
        StateFile = Path.Combine(Path.GetTempPath(), $"bff-idp-{setup.Port}-{Guid.NewGuid():N}.json");
    }

    public int Port => _setup.Port;

    string ITestIdentityProvider.ClientId => ClientId;

    string ITestIdentityProvider.ClientSecret => ClientSecret;

    public string StateFile { get; }

    public string Authority => $"http://localhost:{Port}";

    public string Output => _process?.Output ?? "";

    public async Task StartAsync()
    {
        var environment = new Dictionary<string, string>
        {
            ["IDP_PORT"] = Port.ToString(),
            ["BFF_ORIGINS"] = string.Join(",", _setup.BffOrigins),
            ["IDP_ACCESS_TOKEN_TTL"] = _setup.AccessTokenLifetimeSeconds.ToString(),
            ["IDP_CLIENT_SECRET"] = ClientSecret,
            ["IDP_TEST_HOOKS"] = "1",
            ["IDP_STATE_FILE"] = StateFile,
        };
        // It starts in about a second. Rarely a start stalls before it listens (seen twice in hundreds of runs,
        // never reproduced): such a start is stopped and made again on the same port, which the BFF already knows.
        const int Attempts = 4;
        for (var attempt = 1; ; attempt++)
        {
            _process = ExternalProcess.Start("node", ["server.js"], RepositoryPaths.Idp, environment);
            try
            {
                await _process.WaitUntilAsync(
                    async () => (await _http.GetAsync(Authority + "/.well-known/openid-configuration")).IsSuccessStatusCode,
                    TimeSpan.FromSeconds(30),
                    "The identity provider");
                return;
            }
            catch (TimeoutException) when (attempt < Attempts)
            {
                Console.Error.WriteLine($"The identity provider did not start within 30 s (attempt {attempt}); starting it again:\n{_process.Output}");
                await StopAsync();
            }
        }
    }

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.TerminateAsync(TimeSpan.FromSeconds(10));
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Revokes every grant (and so every refresh token) of a user at the provider.</summary>
    public async Task RevokeGrantsAsync(string subject) =>
        (await _http.PostAsync($"{Authority}/__test/revoke?sub={Uri.EscapeDataString(subject)}", null)).EnsureSuccessStatusCode();

    /// <summary>Posts a refresh-token grant as the BFF would, and returns the provider's answer.</summary>
    public async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> RefreshAsync(string refreshToken)
    {
        var discovery = await _http.GetFromJsonAsync<JsonElement>(Authority + "/.well-known/openid-configuration");
        using var request = new HttpRequestMessage(HttpMethod.Post, discovery.GetProperty("token_endpoint").GetString())
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = refreshToken,
                ["client_id"] = ClientId,
                ["client_secret"] = ClientSecret,
            }),
        };
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Counts of successful token-endpoint grants by grant type since start or reset.</summary>
    /// <summary>
    /// The parameters of the authorization request an authorize redirect stands for: its query, or, for a pushed
    /// request (only <c>client_id</c> and <c>request_uri</c> in the query), what the BFF pushed.
    /// </summary>
    public async Task<Dictionary<string, string>> AuthorizeParametersAsync(Uri authorizeUrl)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorizeUrl.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
        if (!query.TryGetValue("request_uri", out var requestUri))
        {
            return query;
        }

        var pushed = await _http.GetFromJsonAsync<JsonElement>($"{Authority}/__test/pushed?request_uri={Uri.EscapeDataString(requestUri)}");
        return pushed.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
    }

    public async Task<JsonElement> StatsAsync() =>
        await _http.GetFromJsonAsync<JsonElement>(Authority + "/__test/stats");

    public async Task<int> GrantCountAsync(string grantType)
    {
        var stats = await StatsAsync();
        return stats.GetProperty("grants").TryGetProperty(grantType, out var n) ? n.GetInt32() : 0;
    }

    public async Task ResetStatsAsync() =>
        (await _http.PostAsync(Authority + "/__test/stats/reset", null)).EnsureSuccessStatusCode();

    /// <summary>
    /// Signs <paramref name="sub"/> out at the provider as if they confirmed sign-out there: the provider sends a
    /// back-channel logout for each of their sessions. Returns the provider's counts.
    /// </summary>
    public async Task<JsonElement> EndSessionsAsync(string sub)
    {
        using var response = await _http.PostAsync(Authority + "/__test/end-session?sub=" + Uri.EscapeDataString(sub), null);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        File.Delete(StateFile);
        _http.Dispose();
    }
}
