using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bff.Tests.Redis;

/// <summary>One real redis-server (no persistence) shared by the Redis unit-level tests; each test gets its own key prefix.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private ConnectionMultiplexer? _inspector;

    public RedisServer Server { get; private set; } = null!;

    /// <summary>A plain client for assertions (TTL, raw values), independent of the code under test.</summary>
    public IDatabase Inspect => _inspector!.GetDatabase();

    public IConnectionMultiplexer Multiplexer => _inspector!;

    public IServer InspectServer => _inspector!.GetServer(_inspector.GetEndPoints()[0]);

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        _inspector = await ConnectionMultiplexer.ConnectAsync(Server.ConnectionString + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        _inspector?.Dispose();
        await Server.DisposeAsync();
    }

    internal static RedisConnection Connect(string connectionString, string prefix) =>
        new(Options.Create(new RedisOptions { ConnectionString = connectionString, KeyPrefix = prefix }), NullLogger<RedisConnection>.Instance);

    internal RedisConnection Connect(string prefix) => Connect(Server.ConnectionString, prefix);

    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..8] + ":";
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
