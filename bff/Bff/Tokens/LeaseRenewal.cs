using Bff.Distributed;

namespace Bff.Tokens;

/// <summary>
/// Keeps a lock's lease alive while a slow call runs: renews it every third of the lease, and notes when
/// a renewal found the lock lost.
/// </summary>
internal sealed class LeaseRenewal : IDisposable
{
    private readonly ILockLease _lease;
    private readonly TimeSpan _duration;
    private readonly ITimer _timer;
    private int _renewing;

    private LeaseRenewal(ILockLease lease, TimeSpan duration, TimeProvider time)
    {
        _lease = lease;
        _duration = duration;
        _timer = time.CreateTimer(_ => _ = RenewAsync(), null, duration / 3, duration / 3);
    }

    public bool Lost { get; private set; }

    public static LeaseRenewal Start(ILockLease lease, TimeSpan duration, TimeProvider time) => new(lease, duration, time);

    public void Dispose() => _timer.Dispose();

    private async Task RenewAsync()
    {
        if (Interlocked.Exchange(ref _renewing, 1) == 1)
        {
            return;
        }

        try
        {
            if (!await _lease.RenewAsync(_duration, CancellationToken.None))
            {
                Lost = true;
            }
        }
        catch (Exception)
        {
            // The lock's store is unreachable: the lease may run out. The stored session still decides.
            Lost = true;
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }
}
