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
/// the rotated tokens. A refused grant or an id_token for someone else ends the session; a provider fault (or an
/// id_token whose signing key cannot be read yet) starts a back-off and keeps it.
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
    RefreshTokenRevoker revoker,
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
        return session is null || session.ExpiresAt <= time.GetUtcNow() ? null : (session, tickets.Unprotect(session.Ticket, session.Id));
    }

    public async Task<AccessTokenResult> RefreshAsync(string sessionId, ILockLease lease, CancellationToken cancellationToken)
    {
        if (await ReadLiveAsync(sessionId, cancellationToken) is not ({ } session, var ticket))
        {
            return AccessTokenResult.SessionEnded;
        }

        if (ticket is null)
        {
            await terminator.EndAsync(sessionId, SessionEndReason.Unreadable);
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

            return await EndAsync(session, "no_refresh_token");
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
        // Renewed until the new tokens are stored: checking a new id_token may re-read the keys, and the write
        // comes after; a lease run out before then would let another instance spend the same refresh token.
        using var renewal = LeaseRenewal.Start(lease, RefreshSingleFlight.LockLease, time);
        TokenResponse response;
        try
        {
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
            return Unavailable(session, response.ErrorDescription ?? "");
        }

        if (!response.IsSuccess)
        {
            // Only a refused grant (invalid_grant, a bare 400) ends the session; see TokenEndpointClient.
            backoff.Clear(session.Id);
            return (await EndAsync(session, response.Error!), "refused");
        }

        if (response.IdToken is { } idToken)
        {
            var (check, problem) = await CheckIdTokenAsync(idToken, session, cancellationToken);
            if (check == IdTokenCheck.Mismatch)
            {
                backoff.Clear(session.Id);
                var ended = await EndAsync(session, "id_token_mismatch");
                // The provider spent the grant on this answer: revoke the refresh token it left valid, the new one or,
                // when it does not rotate, the old one (ending for RefreshFailed revokes nothing).
                await revoker.RevokeAsync(session.PublicId, string.IsNullOrEmpty(response.RefreshToken) ? refreshToken : response.RefreshToken);
                return (ended, "id_token_mismatch");
            }

            if (check == IdTokenCheck.Unverifiable)
            {
                return await KeepRefreshTokenAsync(session, ticket, refreshToken, response.RefreshToken, problem);
            }
        }

        backoff.Clear(session.Id);
        var refreshedAt = time.GetUtcNow();
        var expiresAt = SessionTokens.Apply(ticket.Properties, response, refreshedAt);
        // Not cancelled with the flight: the provider has rotated the refresh token, and the session cannot refresh
        // again without the new one.
        var saved = await store.ReplaceTicketAsync(session.Id, tickets.Protect(ticket, session.Id), session.Stamp, CancellationToken.None);
        if (saved is null)
        {
            return await NotStoredAsync(session, refreshToken, response.RefreshToken);
        }

        // The lifetime the session goes by (expires_in, a JWT's exp, or the fallback); 0 when not known.
        var lifetime = expiresAt is { } expires ? (int)(expires - refreshedAt).TotalSeconds : 0;
        Log.TokenRefreshed(logger, session.PublicId, session.Subject, lifetime, response.RefreshToken is not null);
        audit.RecordRefreshed(saved);
        return (AccessTokenResult.Success(response.AccessToken!), "refreshed");
    }

    /// <summary>The provider failed for now: back off, keep the session.</summary>
    private (AccessTokenResult Result, string Outcome) Unavailable(SessionRecord session, string problem)
    {
        var delay = backoff.Failed(session.Id);
        metrics.RefreshFailed("provider_unavailable");
        Log.TokenRefreshTransientFailure(logger, session.PublicId, problem, delay.TotalSeconds);
        return (AccessTokenResult.ProviderUnavailable, "provider_unavailable");
    }

    /// <summary>
    /// The provider answered, but its id_token cannot be checked yet: try again later, with the refresh token it
    /// handed back, as it rotates them and the one just spent is void. Nothing else from the answer is used; what the
    /// kept token brings is checked at the next refresh.
    /// </summary>
    private async Task<(AccessTokenResult Result, string Outcome)> KeepRefreshTokenAsync(
        SessionRecord session, AuthenticationTicket ticket, string spent, string? issued, string problem)
    {
        if (!string.IsNullOrEmpty(issued))
        {
            ticket.Properties.UpdateTokenValue(SessionTokens.RefreshTokenName, issued);
            // Not cancelled with the flight: without this token the session could not refresh again.
            if (await store.ReplaceTicketAsync(session.Id, tickets.Protect(ticket, session.Id), session.Stamp, CancellationToken.None) is null)
            {
                return await NotStoredAsync(session, spent, issued);
            }
        }

        return Unavailable(session, problem);
    }

    /// <summary>
    /// The provider's answer could not be stored: the session ended meanwhile (signed out elsewhere; its end revoked the
    /// old refresh token, not the one just issued), or another instance refreshed it after this one's lock ran out
    /// (its tokens stay). The refresh token issued here is nobody's: revoked, unless the provider handed back the one
    /// spent (it does not rotate them), which the stored tokens may still hold. The call goes on with what is stored.
    /// </summary>
    private async Task<(AccessTokenResult Result, string Outcome)> NotStoredAsync(SessionRecord session, string spent, string? issued)
    {
        if (!string.IsNullOrEmpty(issued) && issued != spent)
        {
            await revoker.RevokeAsync(session.PublicId, issued);
        }

        // The stored token is due as well (the other instance kept only a refresh token, or it is short-lived): the
        // provider's trouble for this call, not the session's end; the next call refreshes.
        return await LandedAsync(session.Id, CancellationToken.None) switch
        {
            { Outcome: AccessTokenOutcome.SessionEnded } => (AccessTokenResult.SessionEnded, "session_ended"),
            { } stored => (stored, "superseded"),
            null => (AccessTokenResult.ProviderUnavailable, "superseded"),
        };
    }

    private enum IdTokenCheck
    {
        Matches,
        Mismatch,

        /// <summary>Its signing key or the provider's metadata cannot be read yet.</summary>
        Unverifiable,
    }

    // OpenID Connect Core §12.2: a refreshed id_token must name the same issuer and subject.
    private async Task<(IdTokenCheck Check, string Problem)> CheckIdTokenAsync(string idToken, SessionRecord session, CancellationToken cancellationToken)
    {
        try
        {
            var validated = await idTokens.ValidateAsync(idToken, cancellationToken);
            return string.Equals(validated.Subject, session.Subject, StringComparison.Ordinal)
                ? (IdTokenCheck.Matches, "")
                : (IdTokenCheck.Mismatch, "");
        }
        catch (SigningKeyUnavailableException)
        {
            // Perhaps a key the provider has just rotated in: not proof of a mismatch.
            return (IdTokenCheck.Unverifiable, "The refreshed id_token's signing key cannot be read from the provider yet.");
        }
        catch (OidcProtocolException)
        {
            return (IdTokenCheck.Mismatch, "");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            // The provider's metadata could not be read again (a document naming another issuer, the flight's time limit).
            return (IdTokenCheck.Unverifiable, $"The refreshed id_token could not be checked ({ex.GetType().Name}).");
        }
    }

    private async Task<AccessTokenResult> EndAsync(SessionRecord session, string reason)
    {
        metrics.RefreshFailed(reason);
        Log.TokenRefreshRejected(logger, session.PublicId, session.Subject, reason);
        await terminator.EndAsync(session.Id, SessionEndReason.RefreshFailed);
        return AccessTokenResult.SessionEnded;
    }
}
