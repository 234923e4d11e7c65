using Bff.Oidc;
using Bff.Sessions.Store;

namespace Bff.Tokens;

/// <summary>
/// The token reader: what a request asks for. Hands out the session's access token when it is fresh enough,
/// else joins the session's one refresh (<see cref="RefreshSingleFlight"/>, done by <see cref="TokenRefresher"/>),
/// unless a recent provider failure says to wait (<see cref="RefreshBackoff"/>). While renewal fails for now, the
/// current token is handed out as long as it lives <see cref="TokenRefreshPolicy.MinimumRemaining"/> more.
/// </summary>
internal sealed class UserAccessTokenService(
    TokenRefreshPolicy policy,
    RefreshBackoff backoff,
    RefreshSingleFlight flights,
    TokenRefresher refresher,
    TimeProvider time)
{
    /// <summary>The access token for a session whose ticket properties are <paramref name="tokens"/>.</summary>
    public async Task<AccessTokenResult> GetAsync(SessionRecord session, SessionTokens tokens, CancellationToken cancellationToken)
    {
        if (!policy.IsDue(tokens, time.GetUtcNow()))
        {
            return AccessTokenResult.Success(tokens.AccessToken!);
        }

        var result = backoff.IsWaiting(session.Id)
            ? AccessTokenResult.ProviderUnavailable
            : await flights.JoinAsync(session.Id, refresher, cancellationToken);
        // Renewing early is a convenience: while the provider fails, a token that still works is better than a 503.
        return result.Outcome == AccessTokenOutcome.ProviderUnavailable && tokens.AccessToken is not null &&
            TokenRefreshPolicy.IsStillUsable(tokens.ExpiresAt, time.GetUtcNow())
            ? AccessTokenResult.Success(tokens.AccessToken)
            : result;
    }
}
