using Bff.Testing;

namespace Bff.Tests.Testing;

public sealed class TestTimeProviderTests
{
    [Fact]
    public void Clock_moves_only_when_advanced()
    {
        var time = new TestTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = time.GetTimestamp();

        time.Advance(TimeSpan.FromMinutes(90));

        Assert.Equal(new DateTimeOffset(2030, 1, 1, 1, 30, 0, TimeSpan.Zero), time.GetUtcNow());
        Assert.Equal(TimeSpan.FromMinutes(90), time.GetElapsedTime(start));
        Assert.Throws<ArgumentOutOfRangeException>(() => time.Advance(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void One_shot_timer_fires_once_when_its_due_time_is_passed()
    {
        var time = new TestTimeProvider();
        var fired = new List<DateTimeOffset>();
        using var timer = time.CreateTimer(_ => fired.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(fired);
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal([time.GetUtcNow() - TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1)], fired);
    }

    [Fact]
    public void Periodic_timer_fires_at_each_period_with_the_clock_at_that_instant()
    {
        var time = new TestTimeProvider();
        var start = time.GetUtcNow();
        var fired = new List<TimeSpan>();
        using var timer = time.CreateTimer(_ => fired.Add(time.GetUtcNow() - start), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        time.Advance(TimeSpan.FromMinutes(3.5));

        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3)], fired);
    }

    [Fact]
    public void Disposed_or_stopped_timers_do_not_fire()
    {
        var time = new TestTimeProvider();
        var count = 0;
        var disposed = time.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        using var stopped = time.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        disposed.Dispose();
        stopped.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, count);
    }
}
