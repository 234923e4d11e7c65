using Xunit;

namespace Bff.Testing;

/// <summary>
/// One real stack (identity provider, demo API, BFF instances on Kestrel) shared by a test class: the one
/// full-stack fixture. A class that needs a different stack derives from it and overrides <see cref="Options"/>
/// (settings, instances, clock, extra set-up), <see cref="SessionsInRedis"/> to keep sessions in a real
/// redis-server, or <see cref="StartRedisAsync"/> for another Redis (a cluster); what it starts itself it stops
/// in <see cref="StoppedAsync"/>.
/// </summary>
public class StackFixture : IAsyncLifetime
{
    private RedisServer? _redis;

    public TestStack Stack { get; private set; } = null!;

    /// <summary>The redis-server the sessions live in (<see cref="SessionsInRedis"/>).</summary>
    public RedisServer Redis => _redis ?? throw new InvalidOperationException("This stack keeps its sessions in memory.");

    /// <summary>What differs from the default stack (in-memory sessions, one BFF instance).</summary>
    protected virtual TestStackOptions Options => new();

    /// <summary>Start a redis-server (with an append-only file, so a test can restart it) for the sessions.</summary>
    protected virtual bool SessionsInRedis => false;

    /// <summary>Starts the Redis the stack keeps its sessions in and returns its configuration string; null: in memory.</summary>
    protected virtual async Task<string?> StartRedisAsync()
    {
        if (!SessionsInRedis)
        {
            return null;
        }

        _redis = await RedisServer.StartAsync(appendOnly: true);
        return _redis.ConnectionString;
    }

    /// <summary>Runs once the stack is up (e.g. a proxy in front of it).</summary>
    protected virtual Task StartedAsync() => Task.CompletedTask;

    /// <summary>Runs after the stack has stopped.</summary>
    protected virtual Task StoppedAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        var options = Options;
        var redis = await StartRedisAsync();
        Stack = await TestStack.StartAsync(redis is null ? options : options with { Redis = redis });
        await StartedAsync();
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        await StoppedAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
