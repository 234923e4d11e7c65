using System.Threading.Channels;
using Bff.Logging;
using Bff.Oidc;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;

namespace Bff.Tokens;

/// <summary>
/// When a session ends, however it ends, its refresh token is revoked at the provider (RFC 7009) if the
/// provider has a revocation endpoint; so is one a refresh brought that the BFF will not keep
/// (<see cref="RevokeAsync"/>). A failure is logged, never the token, and never holds things up for long.
/// Only the user's own sign-out waits for its revocation. Every other end is revoked in the background,
/// <see cref="Parallelism"/> at a time, so sessions end at the store's pace, not the provider's: waiting up to five
/// seconds per session for a slow provider, the sweeper would fall behind at scale until expired records outlived
/// their grace in the store and were dropped with no end recorded, and "sign out everywhere" or a back-channel
/// logout would leave the later of a user's sessions alive for minutes. At most <see cref="QueueCapacity"/> wait;
/// beyond that a revocation is skipped and counted in the log, and those still waiting at shutdown are counted too
/// (the tokens still expire at the provider on their own schedule).
/// </summary>
internal sealed class RefreshTokenRevoker(
    SessionTicketProtector tickets,
    ProviderMetadata metadata,
    TokenEndpointClient tokenEndpoint,
    TimeProvider time,
    ILogger<RefreshTokenRevoker> logger) : BackgroundService, ISessionEndObserver
{
    public const int QueueCapacity = 10_000;
    public const int Parallelism = 16;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly Channel<(string SessionPublicId, string RefreshToken)> _waiting =
        Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });

    private int _pending;
    private int _skipped;

    /// <summary>Background revocations not yet done: waiting, or waiting for the provider's answer.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public async Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
    {
        // The provider already refused this refresh token; nothing left to revoke.
        if (reason == SessionEndReason.RefreshFailed)
        {
            return;
        }

        var refreshToken = tickets.Unprotect(session.Ticket, session.Id)?.Properties.GetTokenValue(SessionTokens.RefreshTokenName);
        if (string.IsNullOrEmpty(refreshToken))
        {
            return;
        }

        if (reason != SessionEndReason.SignOut)
        {
            Interlocked.Increment(ref _pending);
            if (!_waiting.Writer.TryWrite((session.PublicId, refreshToken)))
            {
                Interlocked.Decrement(ref _pending);
                // One line per thousand, not per session: a full queue means a flood.
                if (Interlocked.Increment(ref _skipped) % 1000 == 1)
                {
                    Log.RefreshTokenRevocationSkipped(logger, Volatile.Read(ref _skipped), Pending);
                }
            }

            return;
        }

        await RevokeAsync(session.PublicId, refreshToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Parallel.ForEachAsync(_waiting.Reader.ReadAllAsync(stoppingToken),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stoppingToken },
                async (pending, _) =>
                {
                    // RevokeAsync logs its own failures and throws none.
                    try
                    {
                        await RevokeAsync(pending.SessionPublicId, pending.RefreshToken);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _pending);
                    }
                });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what still waits is not revoked (the tokens expire at the provider on their own schedule).
            if (Pending > 0)
            {
                Log.RefreshTokenRevocationsAbandoned(logger, Pending);
            }
        }
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
