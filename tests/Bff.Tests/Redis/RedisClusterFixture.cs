using StackExchange.Redis;

namespace Bff.Tests.Redis;

/// <summary>A real three-master Redis Cluster and two BFF instances on it (short-lived access tokens), started once.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public RedisCluster Cluster { get; private set; } = null!;

    public TestStack Stack { get; private set; } = null!;

    /// <summary>The BFF instances' clock, moved by the tests where the BFF's own time decides.</summary>
    public ShiftableClock Clock { get; } = new();

    /// <summary>A plain cluster client for assertions, independent of the code under test.</summary>
    public ConnectionMultiplexer Inspector { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await RedisCluster.StartAsync();
        Inspector = await ConnectionMultiplexer.ConnectAsync(Cluster.ConnectionString + ",tiebreaker=");
        Stack = await TestStack.StartAsync(new TestStackOptions
        {
            BffInstances = 2,
            Redis = Cluster.ConnectionString,
            AccessTokenLifetimeSeconds = Integration.ShortTokenStackFixture.AccessTokenSeconds,
            Clock = Clock,
        });
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        Inspector?.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
