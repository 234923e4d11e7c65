using Bff.Distributed;
using Bff.Logging;
using Bff.Oidc;

namespace Bff.Tokens;

/// <summary>
/// The BFF's own access tokens (client credentials), one per scope/resource, shared by every caller and
/// fetched again shortly before they expire (the same margin and expiry rules as user tokens, see
/// <see cref="SessionTokens.ExpiryOf"/>; a token whose expiry is unknown is kept for
/// <see cref="SessionTokens.FallbackLifetime"/>). Concurrent callers that find no fresh token share one fetch. After a
/// failed fetch the scope/resource backs off (<see cref="RefreshBackoff"/>): callers meanwhile get the cached token
/// while it still lives <see cref="TokenRefreshPolicy.MinimumRemaining"/>, else "provider unavailable", without a call.
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

    // Its own: the keys are scopes, not sessions.
    private readonly RefreshBackoff _backoff = new(time);

    public async Task<AccessTokenResult> GetAsync(string? scope, string? resource, CancellationToken cancellationToken)
    {
        var key = scope + "\n" + resource;
        if (_tokens.TryGetValue(key, out var cached) && !policy.IsDue(cached.IssuedAt, cached.ExpiresAt, time.GetUtcNow()))
        {
            return AccessTokenResult.Success(cached.Token);
        }

        var result = _backoff.IsWaiting(key)
            ? AccessTokenResult.ProviderUnavailable
            : await _fetches.RunAsync(key, () => FetchAsync(key, scope, resource), cancellationToken);
        return result.Outcome != AccessTokenOutcome.Success && cached is not null && TokenRefreshPolicy.IsStillUsable(cached.ExpiresAt, time.GetUtcNow())
            ? AccessTokenResult.Success(cached.Token)
            : result;
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
            return Failed(key, scope, ex.GetType().Name);
        }

        if (!response.IsSuccess || string.IsNullOrEmpty(response.AccessToken))
        {
            return Failed(key, scope, response.Error ?? "no_access_token");
        }

        var now = time.GetUtcNow();
        // Unlike a session's token, a shared one with no known expiry is not kept for good.
        var expiresAt = SessionTokens.ExpiryOf(response, now) ?? now + SessionTokens.FallbackLifetime;
        _tokens[key] = new CachedToken(response.AccessToken, now, expiresAt);
        _backoff.Clear(key);

        metrics.ClientTokenFetched();
        Log.ClientTokenFetched(logger, scope ?? "", (int)(expiresAt - now).TotalSeconds);
        return AccessTokenResult.Success(response.AccessToken);
    }

    private AccessTokenResult Failed(string key, string? scope, string error)
    {
        _backoff.Failed(key);
        Log.ClientTokenFailed(logger, scope ?? "", error);
        return AccessTokenResult.ProviderUnavailable;
    }

    private sealed record CachedToken(string Token, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);
}
