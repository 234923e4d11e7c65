using Bff.Oidc;
using Bff.Sessions.Store;

namespace Bff.Tokens;

/// <summary>
/// The token reader: what a request asks for. Hands out the session's access token when it is fresh enough,
/// else joins the session's one refresh (<see cref="RefreshSingleFlight"/>, done by <see cref="TokenRefresher"/>),
/// unless a recent provider failure says to wait (<see cref="RefreshBackoff"/>).
/// </summary>
internal sealed class UserAccessTokenService(
    TokenRefreshPolicy policy,
    RefreshBackoff backoff,
    RefreshSingleFlight flights,
    TokenRefresher refresher,
    TimeProvider time)
{
    /// <summary>The access token for a session whose ticket properties are <paramref name="tokens"/>.</summary>
    public Task<AccessTokenResult> GetAsync(SessionRecord session, SessionTokens tokens, CancellationToken cancellationToken) =>
        !policy.IsDue(tokens, time.GetUtcNow()) ? Task.FromResult(AccessTokenResult.Success(tokens.AccessToken!))
        : backoff.IsWaiting(session.Id) ? Task.FromResult(AccessTokenResult.ProviderUnavailable)
        : flights.JoinAsync(session.Id, refresher, cancellationToken);
}
