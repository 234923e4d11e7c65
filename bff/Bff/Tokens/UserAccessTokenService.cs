using System.Collections.Concurrent;
using Bff.Distributed;
using Bff.Logging;
using Bff.Oidc;
using Bff.Sessions;
using Bff.Sessions.Audit;
using Microsoft.Extensions.Logging;

namespace Bff.Tokens;

/// <summary>
/// Hands out the session's access token, refreshing it first when it is due. A refresh token is used at
/// most once: concurrent callers of one session share one refresh in this process (single flight), and
/// instances share a lock per session (<see cref="IDistributedLock"/>) whose holder re-reads the stored
/// session before it spends the refresh token and keeps renewing the lease while the provider answers.
/// Whoever loses the lock waits for the stored token to change and uses the winner's.
/// </summary>
internal sealed class UserAccessTokenService(
    ISessionStore store,
    SessionTicketProtector tickets,
    SessionTerminator terminator,
    IDistributedLock locks,
    TokenRefreshPolicy policy,
    ProviderMetadata metadata,
    TokenEndpointClient tokenEndpoint,
    IdTokenValidator idTokens,
    TokenMetrics metrics,
    SessionAudit audit,
    TimeProvider time,
    ILogger<UserAccessTokenService> logger)
{
    /// <summary>How long a refresh holds its lock before it must renew it.</summary>
    internal static readonly TimeSpan LockLease = TimeSpan.FromSeconds(6);

    /// <summary>How long a caller waits for another instance's refresh before giving up with 503.</summary>
    internal static readonly TimeSpan WaitForOtherRefresh = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Lazy<Task<AccessTokenResult>>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Backoff> _backoff = new(StringComparer.Ordinal);

    /// <summary>The access token for a session whose ticket properties are <paramref name="tokens"/>.</summary>
    public Task<AccessTokenResult> GetAsync(SessionRecord session, SessionTokens tokens, CancellationToken cancellationToken)
    {
        if (!policy.IsDue(tokens, time.GetUtcNow()))
        {
            return Task.FromResult(AccessTokenResult.Success(tokens.AccessToken!));
        }

        // One refresh per session in this process; everyone else awaits the same task. The shared task
        // must not die with the first caller's request, so it runs on its own cancellation.
        var flight = _inFlight.GetOrAdd(session.Id, NewFlight);
        return flight.Value.WaitAsync(cancellationToken);
    }

    /// <summary>Whether a refresh of this session is under way in this process.</summary>
    internal bool IsRefreshing(string sessionId) => _inFlight.ContainsKey(sessionId);

    // A flight leaves the table when it lands, whether or not anyone still waits for it, so a later due
    // token never joins a finished flight.
    private Lazy<Task<AccessTokenResult>> NewFlight(string sessionId)
    {
        Lazy<Task<AccessTokenResult>>? flight = null;
        flight = new Lazy<Task<AccessTokenResult>>(() => FlyAsync(sessionId, flight!));
        return flight;
    }

    private async Task<AccessTokenResult> FlyAsync(string sessionId, Lazy<Task<AccessTokenResult>> flight)
    {
        try
        {
            return await RefreshAsync(sessionId);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<AccessTokenResult>>>(sessionId, flight));
        }
    }

    private async Task<AccessTokenResult> RefreshAsync(string sessionId)
    {
        using var timeout = new CancellationTokenSource(WaitForOtherRefresh + TimeSpan.FromSeconds(15), time);
        var cancellationToken = timeout.Token;

        if (_backoff.TryGetValue(sessionId, out var backoff) && time.GetUtcNow() < backoff.RetryAt)
        {
            return AccessTokenResult.ProviderUnavailable;
        }

        var waitUntil = time.GetUtcNow() + WaitForOtherRefresh;
        while (true)
        {
            var lease = await locks.TryAcquireAsync(LockName(sessionId), LockLease, cancellationToken);
            if (lease is not null)
            {
                await using (lease)
                {
                    return await RefreshHoldingLockAsync(sessionId, lease, cancellationToken);
                }
            }

            // Another instance is refreshing this session: wait for its result to land in the store.
            await Task.Delay(PollInterval, time, cancellationToken);
            var current = await store.GetAsync(sessionId, cancellationToken);
            if (current is null || current.ExpiresAt <= time.GetUtcNow())
            {
                return AccessTokenResult.SessionEnded;
            }

            var ticket = tickets.Unprotect(current.Ticket);
            if (ticket is not null && SessionTokens.From(ticket.Properties) is var tokens && !policy.IsDue(tokens, time.GetUtcNow()))
            {
                return AccessTokenResult.Success(tokens.AccessToken!);
            }

            if (time.GetUtcNow() > waitUntil)
            {
                Log.TokenRefreshWaitTimedOut(logger);
                return AccessTokenResult.ProviderUnavailable;
            }
        }
    }

    private async Task<AccessTokenResult> RefreshHoldingLockAsync(string sessionId, ILockLease lease, CancellationToken cancellationToken)
    {
        // Re-read under the lock: another instance may have refreshed since this request read the session.
        var session = await store.GetAsync(sessionId, cancellationToken);
        if (session is null || session.ExpiresAt <= time.GetUtcNow())
        {
            return AccessTokenResult.SessionEnded;
        }

        var ticket = tickets.Unprotect(session.Ticket);
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

        TokenResponse response;
        using (var renewal = LeaseRenewal.Start(lease, LockLease, time))
        {
            var configuration = await metadata.GetAsync(cancellationToken);
            response = await tokenEndpoint.PostAsync(configuration.TokenEndpoint,
            [
                new("grant_type", "refresh_token"),
                new("refresh_token", tokens.RefreshToken),
            ], cancellationToken);

            if (renewal.Lost)
            {
                // Someone may have taken the lock meanwhile; the store tells who won below.
                Log.TokenRefreshLeaseLost(logger, session.PublicId);
            }
        }

        if (response.IsSuccess && string.IsNullOrEmpty(response.AccessToken))
        {
            // A provider fault, not a refusal of this session's grant.
            response = TokenResponse.Transient("The provider answered without an access token.");
        }

        if (response.IsTransient)
        {
            ForgetStaleBackoffs();
            var next = _backoff.AddOrUpdate(sessionId,
                _ => new Backoff(FirstBackoff, time.GetUtcNow() + FirstBackoff),
                (_, b) => b.Next(time.GetUtcNow(), MaxBackoff));
            metrics.RefreshFailed("provider_unavailable");
            Log.TokenRefreshTransientFailure(logger, session.PublicId, response.ErrorDescription ?? "", next.Delay.TotalSeconds);
            return AccessTokenResult.ProviderUnavailable;
        }

        _backoff.TryRemove(sessionId, out _);
        if (!response.IsSuccess)
        {
            // Only a refused grant (invalid_grant, a bare 400) ends the session; see TokenEndpointClient.
            return await EndAsync(session, response.Error!, cancellationToken);
        }

        if (response.IdToken is { } idToken && !await IdTokenMatchesAsync(idToken, session, cancellationToken))
        {
            return await EndAsync(session, "id_token_mismatch", cancellationToken);
        }

        SessionTokens.Apply(ticket.Properties, response, time.GetUtcNow());
        var saved = await store.ReplaceTicketAsync(sessionId, tickets.Protect(ticket), cancellationToken);
        if (saved is null)
        {
            // The session ended while the provider answered (signed out elsewhere).
            return AccessTokenResult.SessionEnded;
        }

        Log.TokenRefreshed(logger, session.PublicId, session.Subject, response.ExpiresIn ?? 0, response.RefreshToken is not null);
        await audit.RecordRefreshedAsync(saved, cancellationToken);
        return AccessTokenResult.Success(response.AccessToken!);
    }

    // OpenID Connect Core §12.2: a refreshed id_token must name the same issuer and subject.
    private async Task<bool> IdTokenMatchesAsync(string idToken, SessionRecord session, CancellationToken cancellationToken)
    {
        try
        {
            var validated = await idTokens.ValidateAsync(idToken, expectedNonce: null, cancellationToken);
            return string.Equals(validated.Subject, session.Subject, StringComparison.Ordinal);
        }
        catch (OidcProtocolException)
        {
            return false;
        }
    }

    // Back-offs of sessions that ended during an outage would otherwise stay forever.
    private void ForgetStaleBackoffs()
    {
        var stale = time.GetUtcNow() - MaxBackoff;
        foreach (var (id, backoff) in _backoff)
        {
            if (backoff.RetryAt < stale)
            {
                _backoff.TryRemove(new KeyValuePair<string, Backoff>(id, backoff));
            }
        }
    }

    private async Task<AccessTokenResult> EndAsync(SessionRecord session, string reason, CancellationToken cancellationToken)
    {
        metrics.RefreshFailed(reason);
        Log.TokenRefreshRejected(logger, session.PublicId, session.Subject, reason);
        await terminator.EndAsync(session.Id, SessionEndReason.RefreshFailed, cancellationToken);
        return AccessTokenResult.SessionEnded;
    }

    private static string LockName(string sessionId) => "refresh:" + sessionId;

    private sealed record Backoff(TimeSpan Delay, DateTimeOffset RetryAt)
    {
        public Backoff Next(DateTimeOffset now, TimeSpan max)
        {
            var delay = Delay * 2 < max ? Delay * 2 : max;
            return new Backoff(delay, now + delay);
        }
    }
}
