using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Tokens;

public sealed class RefreshBackoffTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    // Issue: every failure scanned every back-off for stale ones: quadratic during an outage (about a minute of CPU
    // for 100k sessions).
    [Fact]
    public void Stale_back_offs_are_looked_for_at_most_once_per_sweep_interval()
    {
        const int Sessions = 100_000;
        var time = new FakeTimeProvider();
        var backoff = new RefreshBackoff(time, new Random(1));

        for (var i = 0; i < Sessions; i++)
        {
            backoff.Failed("session-" + i);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // 100 s: at most four sweeps, each over at most every session.
        Assert.InRange(backoff.Swept, 1, 4L * Sessions);
    }

    // Between sweeps too: a back-off long past that no sweep has removed yet does not double.
    [Fact]
    public void A_back_off_long_past_starts_again_at_one_second_before_any_sweep_removed_it()
    {
        var time = new FakeTimeProvider();
        var backoff = new RefreshBackoff(time, new Random(1));
        backoff.Failed("other"); // the first sweep runs now; the next is due in 30 s
        time.Advance(TimeSpan.FromSeconds(29));
        backoff.Failed("session");
        time.Advance(TimeSpan.FromSeconds(29));
        backoff.Failed("other"); // a sweep, too early to find "session" stale; the next is due in 30 s

        time.Advance(TimeSpan.FromSeconds(25));
        var delay = backoff.Failed("session");

        Assert.InRange(delay, Second * (1 - RefreshBackoff.Jitter), Second * (1 + RefreshBackoff.Jitter));
    }

    [Fact]
    public void A_back_off_long_past_is_forgotten_so_the_next_failure_starts_again_at_one_second()
    {
        var time = new FakeTimeProvider();
        var backoff = new RefreshBackoff(time, new Random(1));
        backoff.Failed("s");
        backoff.Failed("s");

        time.Advance(TimeSpan.FromSeconds(61));

        Assert.InRange(backoff.Failed("s"), Second * (1 - RefreshBackoff.Jitter), Second * (1 + RefreshBackoff.Jitter));
    }

    // Sessions that failed together (an outage) would otherwise all retry at the same instant, again and again.
    [Fact]
    public void Delays_of_sessions_that_failed_together_are_spread_within_twenty_percent()
    {
        var time = new FakeTimeProvider();
        var backoff = new RefreshBackoff(time, new Random(7));
        var sessions = Enumerable.Range(0, 1000).Select(i => "session-" + i).ToList();

        foreach (var (failure, nominal) in new[] { (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 30), (7, 30) })
        {
            var delays = sessions.Select(backoff.Failed).ToList();

            Assert.All(delays, d => Assert.InRange(d, Second * nominal * (1 - RefreshBackoff.Jitter), Second * nominal * (1 + RefreshBackoff.Jitter)));
            Assert.True(delays.Distinct().Count() > 900, $"failure {failure}: {delays.Distinct().Count()} distinct delays");
            Assert.True(delays.Min() < Second * nominal * 0.9 && delays.Max() > Second * nominal * 1.1, $"failure {failure}: not spread");
        }
    }

    [Fact]
    public void A_back_off_waits_its_own_delay_and_a_clear_ends_it()
    {
        var time = new FakeTimeProvider();
        var backoff = new RefreshBackoff(time, new Random(3));

        var delay = backoff.Failed("s");
        Assert.True(backoff.IsWaiting("s"));
        time.Advance(delay - TimeSpan.FromMilliseconds(1));
        Assert.True(backoff.IsWaiting("s"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(backoff.IsWaiting("s"));

        backoff.Failed("s");
        backoff.Clear("s");
        Assert.False(backoff.IsWaiting("s"));
    }
}
