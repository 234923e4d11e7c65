using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.RateLimiting;

public sealed class RejectionLogTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void A_flood_from_one_client_is_one_line_a_minute_with_the_count_of_the_rest()
    {
        var log = new RejectionLog(_clock);

        var logged = Enumerable.Range(0, 1_000).Count(_ => log.ShouldLog("198.51.100.7", out _));
        Assert.Equal(1, logged);

        _clock.Advance(RejectionLog.Interval);
        Assert.True(log.ShouldLog("198.51.100.7", out var unlogged));
        Assert.Equal(999, unlogged);
    }

    [Fact]
    public void Each_client_gets_its_own_line()
    {
        var log = new RejectionLog(_clock);

        Assert.True(log.ShouldLog("198.51.100.7", out _));
        Assert.True(log.ShouldLog("2001:db8::/64", out var unlogged));
        Assert.Equal(0, unlogged);
        Assert.False(log.ShouldLog("198.51.100.7", out _));
    }

    [Fact]
    public void Many_clients_are_not_remembered_without_bound()
    {
        var log = new RejectionLog(_clock);

        for (var i = 0; i < RejectionLog.MaxClients * 3; i++)
        {
            Assert.True(log.ShouldLog("client-" + i, out _));
            if (i % 5_000 == 0)
            {
                _clock.Advance(TimeSpan.FromSeconds(20));
            }
        }

        Assert.InRange(log.Remembered, 1, RejectionLog.MaxClients + 1);
    }
}
