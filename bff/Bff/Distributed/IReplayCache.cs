namespace Bff.Distributed;

/// <summary>
/// Remembers one-time values (a logout token's <c>jti</c>) until they expire, shared by every BFF instance
/// that shares the session store: in process without Redis, a Redis key with a TTL with it.
/// </summary>
internal interface IReplayCache
{
    /// <summary>Records <paramref name="key"/> until <paramref name="expiresAt"/>; false when it was already recorded (a replay).</summary>
    Task<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets <paramref name="key"/>, so the same value is accepted again: for a value recorded by a step that
    /// then failed, whose sender will retry it. Not cancellable: it is cleanup after a failure.
    /// </summary>
    Task RemoveAsync(string key);
}
