namespace Bff.Tests.Redis;

/// <summary>A real redis-server and a stack of two BFF instances on it, shared by a test class.</summary>
public sealed class RedisStackFixture : StackFixture
{
    protected override bool SessionsInRedis => true;

    protected override TestStackOptions Options => new() { BffInstances = 2 };
}
