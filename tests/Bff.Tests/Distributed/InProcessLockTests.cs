using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Distributed;

public sealed class InProcessLockTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Only_one_holder_at_a_time_until_release()
    {
        var locks = new InProcessLock(new FakeTimeProvider());
        var first = await locks.TryAcquireAsync("x", Lease, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(await locks.TryAcquireAsync("x", Lease, CancellationToken.None));
        Assert.NotNull(await locks.TryAcquireAsync("other", Lease, CancellationToken.None));

        await first.DisposeAsync();
        Assert.NotNull(await locks.TryAcquireAsync("x", Lease, CancellationToken.None));
    }

    [Fact]
    public async Task An_expired_lease_can_be_taken_and_the_old_holder_learns_it_lost_the_lock()
    {
        var time = new FakeTimeProvider();
        var locks = new InProcessLock(time);
        var first = (await locks.TryAcquireAsync("x", Lease, CancellationToken.None))!;

        time.Advance(Lease);
        var second = await locks.TryAcquireAsync("x", Lease, CancellationToken.None);

        Assert.NotNull(second);
        Assert.False(await first.RenewAsync(Lease, CancellationToken.None));

        // The old holder's release must not free the new holder's lock.
        await first.DisposeAsync();
        Assert.Null(await locks.TryAcquireAsync("x", Lease, CancellationToken.None));
    }

    [Fact]
    public async Task Renewing_extends_the_lease()
    {
        var time = new FakeTimeProvider();
        var locks = new InProcessLock(time);
        var holder = (await locks.TryAcquireAsync("x", Lease, CancellationToken.None))!;

        time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.True(await holder.RenewAsync(Lease, CancellationToken.None));
        time.Advance(Lease - TimeSpan.FromSeconds(1));

        Assert.Null(await locks.TryAcquireAsync("x", Lease, CancellationToken.None));
    }
}
