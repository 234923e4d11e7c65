using Bff.Logging;
using Bff.Oidc;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;

namespace Bff.Tokens;

/// <summary>
/// When a session ends, however it ends, its refresh token is revoked at the provider (RFC 7009) if the
/// provider has a revocation endpoint; so is one a refresh brought that the BFF will not keep
/// (<see cref="RevokeAsync"/>). A failure is logged, never the token, and never holds things up for long.
/// </summary>
internal sealed class RefreshTokenRevoker(
    SessionTicketProtector tickets,
    ProviderMetadata metadata,
    TokenEndpointClient tokenEndpoint,
    TimeProvider time,
    ILogger<RefreshTokenRevoker> logger) : ISessionEndObserver
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
    {
        // The provider already refused this refresh token; nothing left to revoke.
        if (reason == SessionEndReason.RefreshFailed)
        {
            return;
        }

        var refreshToken = tickets.Unprotect(session.Ticket)?.Properties.GetTokenValue(SessionTokens.RefreshTokenName);
        if (string.IsNullOrEmpty(refreshToken))
        {
            return;
        }

        await RevokeAsync(session.PublicId, refreshToken);
    }

    /// <summary>Revokes a refresh token of the session with this public id; best effort, within a few seconds.</summary>
    public async Task RevokeAsync(string sessionPublicId, string refreshToken)
    {
        using var timeout = new CancellationTokenSource(Timeout, time);
        try
        {
            var configuration = await metadata.GetAsync(timeout.Token);
            if (string.IsNullOrEmpty(configuration.RevocationEndpoint))
            {
                return;
            }

            var response = await tokenEndpoint.PostAsync(configuration.RevocationEndpoint,
            [
                new("token", refreshToken),
                new("token_type_hint", "refresh_token"),
            ], timeout.Token);

            if (response.IsSuccess)
            {
                Log.RefreshTokenRevoked(logger, sessionPublicId);
            }
            else
            {
                Log.RefreshTokenRevocationFailed(logger, sessionPublicId, response.Error ?? "");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || timeout.IsCancellationRequested)
        {
            Log.RefreshTokenRevocationFailed(logger, sessionPublicId, ex.GetType().Name);
        }
    }
}
