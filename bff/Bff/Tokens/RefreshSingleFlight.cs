using Bff.Distributed;
using Bff.Logging;

namespace Bff.Tokens;

/// <summary>
/// One refresh per session at a time: concurrent callers in this process share one flight, and instances
/// share a lock per session (<see cref="IDistributedLock"/>). Whoever loses the lock polls the store until
/// the winner's token lands there, and gives up with "provider unavailable" after
/// <see cref="WaitForOtherRefresh"/>.
/// </summary>
internal sealed class RefreshSingleFlight(IDistributedLock locks, TimeProvider time, ILogger<RefreshSingleFlight> logger)
{
    /// <summary>How long a refresh holds its lock before it must renew it.</summary>
    internal static readonly TimeSpan LockLease = TimeSpan.FromSeconds(6);

    /// <summary>How long a caller waits for another instance's refresh before giving up with 503.</summary>
    internal static readonly TimeSpan WaitForOtherRefresh = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a flight may take in all (the lock, the provider's answer, storing the tokens) before it is cancelled;
    /// the refresher reports a flight cut short as "provider unavailable".
    /// </summary>
    internal static readonly TimeSpan FlightTimeout = WaitForOtherRefresh + TimeSpan.FromSeconds(15);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly SingleFlight<AccessTokenResult> _flights = new();

    /// <summary>What a flight does: refresh holding the lease, or read what another instance stored (null: not yet).</summary>
    internal interface IFlight
    {
        Task<AccessTokenResult> RefreshAsync(string sessionId, ILockLease lease, CancellationToken cancellationToken);

        Task<AccessTokenResult?> LandedAsync(string sessionId, CancellationToken cancellationToken);
    }

    /// <summary>Joins the session's flight, starting one when none is under way.</summary>
    public Task<AccessTokenResult> JoinAsync(string sessionId, IFlight flight, CancellationToken cancellationToken) =>
        _flights.RunAsync(sessionId, () => FlyAsync(sessionId, flight), cancellationToken);

    /// <summary>Whether a refresh of this session is under way in this process.</summary>
    internal bool IsRefreshing(string sessionId) => _flights.IsRunning(sessionId);

    private async Task<AccessTokenResult> FlyAsync(string sessionId, IFlight flight)
    {
        using var timeout = new CancellationTokenSource(FlightTimeout, time);
        return await UnderLockAsync(sessionId, flight, timeout.Token);
    }

    private async Task<AccessTokenResult> UnderLockAsync(string sessionId, IFlight flight, CancellationToken cancellationToken)
    {
        var waitUntil = time.GetUtcNow() + WaitForOtherRefresh;
        while (true)
        {
            var lease = await locks.TryAcquireAsync("refresh:" + sessionId, LockLease, cancellationToken);
            if (lease is not null)
            {
                await using (lease)
                {
                    return await flight.RefreshAsync(sessionId, lease, cancellationToken);
                }
            }

            // Another instance is refreshing this session: wait for its result to land in the store.
            await Task.Delay(PollInterval, time, cancellationToken);
            if (await flight.LandedAsync(sessionId, cancellationToken) is { } landed)
            {
                return landed;
            }

            if (time.GetUtcNow() > waitUntil)
            {
                Log.TokenRefreshWaitTimedOut(logger);
                return AccessTokenResult.ProviderUnavailable;
            }
        }
    }
}
