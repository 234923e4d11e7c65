
namespace Bff.Tests.Redis;

/// <summary>A real redis-server and a stack of two BFF instances on it, shared by a test class.</summary>
public sealed class RedisStackFixture : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public TestStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync(appendOnly: true);
        Stack = await TestStack.StartAsync(new TestStackOptions { BffInstances = 2, Redis = Redis.ConnectionString });
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}
