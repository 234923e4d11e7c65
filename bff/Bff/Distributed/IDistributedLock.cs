namespace Bff.Distributed;

/// <summary>
/// A named lock with a lease, shared by every BFF instance that shares the session store: in process
/// without Redis, a Redis key with a TTL with it. The lease bounds how long a crashed holder blocks others.
/// </summary>
internal interface IDistributedLock
{
    /// <summary>Takes the lock, or returns null if another holder has it.</summary>
    Task<ILockLease?> TryAcquireAsync(string name, TimeSpan lease, CancellationToken cancellationToken);
}

/// <summary>A held lock. Disposing releases it, but only if it is still this holder's.</summary>
internal interface ILockLease : IAsyncDisposable
{
    /// <summary>Extends the lease; false when the lock was lost (the lease ran out and someone else took it).</summary>
    Task<bool> RenewAsync(TimeSpan lease, CancellationToken cancellationToken);
}
