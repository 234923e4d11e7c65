using Bff.Logging;
using Bff.Oidc;

namespace Bff.Tokens;

/// <summary>
/// The BFF's own access tokens (client credentials), one per scope/resource, shared by every caller and
/// fetched again shortly before they expire (the same margin as user tokens). Concurrent callers that find
/// no fresh token share one fetch.
/// </summary>
internal sealed class ClientAccessTokenCache(
    ProviderMetadata metadata,
    TokenEndpointClient tokenEndpoint,
    TokenRefreshPolicy policy,
    TokenMetrics metrics,
    TimeProvider time,
    ILogger<ClientAccessTokenCache> logger)
{
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly SingleFlight<AccessTokenResult> _fetches = new();

    public async Task<AccessTokenResult> GetAsync(string? scope, string? resource, CancellationToken cancellationToken)
    {
        var key = scope + "\n" + resource;
        if (_tokens.TryGetValue(key, out var cached) && !policy.IsDue(cached.IssuedAt, cached.ExpiresAt, time.GetUtcNow()))
        {
            return AccessTokenResult.Success(cached.Token);
        }

        return await _fetches.RunAsync(key, () => FetchAsync(key, scope, resource), cancellationToken);
    }

    private async Task<AccessTokenResult> FetchAsync(string key, string? scope, string? resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), time);
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (!string.IsNullOrEmpty(scope))
        {
            form.Add(new("scope", scope));
        }

        if (!string.IsNullOrEmpty(resource))
        {
            form.Add(new("resource", resource));
        }

        TokenResponse response;
        try
        {
            var configuration = await metadata.GetAsync(timeout.Token);
            response = await tokenEndpoint.PostAsync(configuration.TokenEndpoint, form, timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || timeout.IsCancellationRequested)
        {
            Log.ClientTokenFailed(logger, scope ?? "", ex.GetType().Name);
            return AccessTokenResult.ProviderUnavailable;
        }

        if (!response.IsSuccess || string.IsNullOrEmpty(response.AccessToken))
        {
            Log.ClientTokenFailed(logger, scope ?? "", response.Error ?? "no_access_token");
            return AccessTokenResult.ProviderUnavailable;
        }

        var now = time.GetUtcNow();
        DateTimeOffset? expiresAt = response.ExpiresIn is { } seconds ? now.AddSeconds(seconds) : null;
        if (expiresAt is not null)
        {
            _tokens[key] = new CachedToken(response.AccessToken, now, expiresAt);
        }

        metrics.ClientTokenFetched();
        Log.ClientTokenFetched(logger, scope ?? "", response.ExpiresIn ?? 0);
        return AccessTokenResult.Success(response.AccessToken);
    }

    private sealed record CachedToken(string Token, DateTimeOffset IssuedAt, DateTimeOffset? ExpiresAt);
}
