using Bff.Diagnostics;
using Bff.Distributed;
using Bff.Logging;
using Bff.Oidc;
using Bff.Sessions.Audit;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;

namespace Bff.Tokens;

/// <summary>
/// Spends a session's refresh token: re-reads the stored session under the lease (another instance may have
/// refreshed meanwhile), calls the token endpoint while keeping the lease alive, checks a new id_token, stores
/// the rotated tokens. A refused grant ends the session; a provider fault starts a back-off and keeps it.
/// Each real call to the provider is a <c>bff.token.refresh</c> span (outcome and token type, never a token).
/// </summary>
internal sealed class TokenRefresher(
    ISessionStore store,
    SessionTicketProtector tickets,
    SessionTerminator terminator,
    TokenRefreshPolicy policy,
    ProviderMetadata metadata,
    TokenEndpointClient tokenEndpoint,
    IdTokenValidator idTokens,
    RefreshBackoff backoff,
    TokenMetrics metrics,
    SessionAudit audit,
    TimeProvider time,
    ILogger<TokenRefresher> logger) : RefreshSingleFlight.IFlight
{
    public async Task<AccessTokenResult?> LandedAsync(string sessionId, CancellationToken cancellationToken) =>
        await ReadLiveAsync(sessionId, cancellationToken) is not { } live ? AccessTokenResult.SessionEnded
        : live.Ticket is not null && SessionTokens.From(live.Ticket.Properties) is var tokens && !policy.IsDue(tokens, time.GetUtcNow())
            ? AccessTokenResult.Success(tokens.AccessToken!)
            : null;

    /// <summary>The stored session unless it has ended, with its ticket (null when it cannot be decrypted).</summary>
    private async Task<(SessionRecord Session, AuthenticationTicket? Ticket)?> ReadLiveAsync(string sessionId, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync(sessionId, cancellationToken);
        return session is null || session.ExpiresAt <= time.GetUtcNow() ? null : (session, tickets.Unprotect(session.Ticket));
    }

    public async Task<AccessTokenResult> RefreshAsync(string sessionId, ILockLease lease, CancellationToken cancellationToken)
    {
        if (await ReadLiveAsync(sessionId, cancellationToken) is not ({ } session, var ticket))
        {
            return AccessTokenResult.SessionEnded;
        }

        if (ticket is null)
        {
            await terminator.EndAsync(sessionId, SessionEndReason.Unreadable, cancellationToken);
            return AccessTokenResult.SessionEnded;
        }

        var tokens = SessionTokens.From(ticket.Properties);
        var now = time.GetUtcNow();
        if (!policy.IsDue(tokens, now))
        {
            return AccessTokenResult.Success(tokens.AccessToken!);
        }

        if (string.IsNullOrEmpty(tokens.RefreshToken))
        {
            if (tokens.AccessToken is not null && tokens.ExpiresAt > now)
            {
                // Nothing to refresh with: use the token while it lasts.
                return AccessTokenResult.Success(tokens.AccessToken);
            }

            return await EndAsync(session, "no_refresh_token", cancellationToken);
        }

        using var activity = BffTelemetry.Source.StartActivity("bff.token.refresh");
        activity?.SetTag("bff.token_type", "user");
        var (result, outcome) = await CallProviderAsync(session, ticket, tokens.RefreshToken, lease, cancellationToken);
        activity?.SetTag("bff.outcome", outcome);
        activity?.SetStatus(result.Outcome == AccessTokenOutcome.Success ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        return result;
    }

    private async Task<(AccessTokenResult Result, string Outcome)> CallProviderAsync(
        SessionRecord session, AuthenticationTicket ticket, string refreshToken, ILockLease lease,
        CancellationToken cancellationToken)
    {
        TokenResponse response;
        try
        {
            using var renewal = LeaseRenewal.Start(lease, RefreshSingleFlight.LockLease, time);
            var configuration = await metadata.GetAsync(cancellationToken);
            response = await tokenEndpoint.PostAsync(configuration.TokenEndpoint,
            [
                new("grant_type", "refresh_token"),
                new("refresh_token", refreshToken),
            ], cancellationToken);
            if (renewal.Lost)
            {
                // Someone may have taken the lock meanwhile; the store tells who won below.
                Log.TokenRefreshLeaseLost(logger, session.PublicId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            // No good discovery document yet (a new instance while the provider is away), a document that names
            // another issuer, or the flight's time limit (the only token here): the provider's trouble, not the session's.
            response = TokenResponse.Transient(ex is OperationCanceledException
                ? "The provider did not answer in time."
                : $"The provider's discovery document could not be used ({ex.GetType().Name}).");
        }

        if (response.IsSuccess && string.IsNullOrEmpty(response.AccessToken))
        {
            // A provider fault, not a refusal of this session's grant.
            response = TokenResponse.Transient("The provider answered without an access token.");
        }

        if (response.IsTransient)
        {
            var delay = backoff.Failed(session.Id);
            metrics.RefreshFailed("provider_unavailable");
            Log.TokenRefreshTransientFailure(logger, session.PublicId, response.ErrorDescription ?? "", delay.TotalSeconds);
            return (AccessTokenResult.ProviderUnavailable, "provider_unavailable");
        }

        backoff.Clear(session.Id);
        if (!response.IsSuccess)
        {
            // Only a refused grant (invalid_grant, a bare 400) ends the session; see TokenEndpointClient.
            return (await EndAsync(session, response.Error!, cancellationToken), "refused");
        }

        if (response.IdToken is { } idToken && !await IdTokenMatchesAsync(idToken, session, cancellationToken))
        {
            return (await EndAsync(session, "id_token_mismatch", cancellationToken), "id_token_mismatch");
        }

        SessionTokens.Apply(ticket.Properties, response, time.GetUtcNow());
        var saved = await store.ReplaceTicketAsync(session.Id, tickets.Protect(ticket), cancellationToken);
        if (saved is null)
        {
            // The session ended while the provider answered (signed out elsewhere).
            return (AccessTokenResult.SessionEnded, "session_ended");
        }

        Log.TokenRefreshed(logger, session.PublicId, session.Subject, response.ExpiresIn ?? 0, response.RefreshToken is not null);
        audit.RecordRefreshed(saved);
        return (AccessTokenResult.Success(response.AccessToken!), "refreshed");
    }

    // OpenID Connect Core §12.2: a refreshed id_token must name the same issuer and subject.
    private async Task<bool> IdTokenMatchesAsync(string idToken, SessionRecord session, CancellationToken cancellationToken)
    {
        try
        {
            var validated = await idTokens.ValidateAsync(idToken, cancellationToken);
            return string.Equals(validated.Subject, session.Subject, StringComparison.Ordinal);
        }
        catch (OidcProtocolException)
        {
            return false;
        }
    }

    private async Task<AccessTokenResult> EndAsync(SessionRecord session, string reason, CancellationToken cancellationToken)
    {
        metrics.RefreshFailed(reason);
        Log.TokenRefreshRejected(logger, session.PublicId, session.Subject, reason);
        await terminator.EndAsync(session.Id, SessionEndReason.RefreshFailed, cancellationToken);
        return AccessTokenResult.SessionEnded;
    }
}
