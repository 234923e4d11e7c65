using StackExchange.Redis;

namespace Bff.Tests.Redis;

/// <summary>A real three-master Redis Cluster and two BFF instances on it (short-lived access tokens), started once.</summary>
public sealed class RedisClusterFixture : StackFixture
{
    public RedisCluster Cluster { get; private set; } = null!;

    /// <summary>The BFF instances' clock, moved by the tests where the BFF's own time decides.</summary>
    public ShiftableClock Clock { get; } = new();

    /// <summary>A plain cluster client for assertions, independent of the code under test.</summary>
    public ConnectionMultiplexer Inspector { get; private set; } = null!;

    protected override TestStackOptions Options => new()
    {
        BffInstances = 2,
        AccessTokenLifetimeSeconds = Integration.ShortTokenStackFixture.AccessTokenSeconds,
        Clock = Clock,
    };

    protected override async Task<string?> StartRedisAsync()
    {
        Cluster = await RedisCluster.StartAsync();
        Inspector = await ConnectionMultiplexer.ConnectAsync(Cluster.ConnectionString + ",tiebreaker=");
        return Cluster.ConnectionString;
    }

    protected override async Task StoppedAsync()
    {
        Inspector?.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
