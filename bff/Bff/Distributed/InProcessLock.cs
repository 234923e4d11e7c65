namespace Bff.Distributed;

/// <summary>Locks for a single instance: a dictionary of holders with leases read from <see cref="TimeProvider"/>.</summary>
internal sealed class InProcessLock(TimeProvider time) : IDistributedLock
{
    private readonly ConcurrentDictionary<string, Holder> _holders = new(StringComparer.Ordinal);

    private DateTimeOffset Now => time.GetUtcNow();

    public Task<ILockLease?> TryAcquireAsync(string name, TimeSpan lease, CancellationToken cancellationToken)
    {
        var mine = new Holder(this, name, Now + lease);

        // A lease that ran out is free for the taking.
        var holder = _holders.AddOrUpdate(name, mine, (_, current) => current.ExpiresAt <= Now ? mine : current);
        return Task.FromResult<ILockLease?>(ReferenceEquals(holder, mine) ? mine : null);
    }

    private sealed class Holder(InProcessLock owner, string name, DateTimeOffset expiresAt) : ILockLease
    {
        public DateTimeOffset ExpiresAt { get; private set; } = expiresAt;

        public Task<bool> RenewAsync(TimeSpan lease, CancellationToken cancellationToken)
        {
            if (!owner._holders.TryGetValue(name, out var current) || !ReferenceEquals(current, this))
            {
                return Task.FromResult(false);
            }

            ExpiresAt = owner.Now + lease;
            return Task.FromResult(true);
        }

        public ValueTask DisposeAsync()
        {
            owner._holders.TryRemove(new KeyValuePair<string, Holder>(name, this));
            return ValueTask.CompletedTask;
        }
    }
}
