using Bff.Oidc;
using Bff.Sessions.Store;

namespace Bff.Tokens;

/// <summary>
/// The token reader: what a request asks for. Hands out the session's access token when it is fresh enough,
/// else joins the session's one refresh (<see cref="RefreshSingleFlight"/>, done by <see cref="TokenRefresher"/>),
/// unless a recent provider failure says to wait (<see cref="RefreshBackoff"/>). While renewal fails for now, or takes
/// longer than <see cref="EarlyRenewalWait"/>, the current token is handed out as long as it lives
/// <see cref="TokenRefreshPolicy.MinimumRemaining"/> more.
/// </summary>
internal sealed class UserAccessTokenService(
    TokenRefreshPolicy policy,
    RefreshBackoff backoff,
    RefreshSingleFlight flights,
    TokenRefresher refresher,
    TimeProvider time)
{
    /// <summary>
    /// How long a call waits for the early renewal of a token that still works: a healthy provider answers within it,
    /// and a slow one does not hold up every call of the session for its whole time-out.
    /// </summary>
    internal static readonly TimeSpan EarlyRenewalWait = TimeSpan.FromSeconds(1);

    /// <summary>The access token for a session whose ticket properties are <paramref name="tokens"/>.</summary>
    public async Task<AccessTokenResult> GetAsync(SessionRecord session, SessionTokens tokens, CancellationToken cancellationToken)
    {
        if (!policy.IsDue(tokens, time.GetUtcNow()))
        {
            return AccessTokenResult.Success(tokens.AccessToken!);
        }

        // Renewing early is a convenience: while the provider is slow or failing, a token that still works is better
        // than a wait or a 503.
        var stillUsable = tokens.AccessToken is not null && TokenRefreshPolicy.IsStillUsable(tokens.ExpiresAt, time.GetUtcNow());
        if (backoff.IsWaiting(session.Id))
        {
            return stillUsable ? AccessTokenResult.Success(tokens.AccessToken!) : AccessTokenResult.ProviderUnavailable;
        }

        var renewal = flights.JoinAsync(session.Id, refresher, cancellationToken);
        if (stillUsable && await Task.WhenAny(renewal, Task.Delay(EarlyRenewalWait, time, cancellationToken)) != renewal)
        {
            // The renewal goes on without this call (its flight outlives the request); the next calls join it. Its
            // failure, if any, is observed here: nobody awaits this wait any more.
            _ = renewal.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return AccessTokenResult.Success(tokens.AccessToken!);
        }

        var result = await renewal;
        return result.Outcome == AccessTokenOutcome.ProviderUnavailable && stillUsable && TokenRefreshPolicy.IsStillUsable(tokens.ExpiresAt, time.GetUtcNow())
            ? AccessTokenResult.Success(tokens.AccessToken!)
            : result;
    }
}
