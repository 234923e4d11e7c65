using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Distributed;

public sealed class InMemoryReplayCacheTests
{
    [Fact]
    public async Task A_value_is_accepted_once_until_it_expires()
    {
        var time = new FakeTimeProvider();
        var cache = new InMemoryReplayCache(time);
        var expires = time.GetUtcNow().AddMinutes(5);

        Assert.True(await cache.TryAddAsync("jti-1", expires, default));
        Assert.False(await cache.TryAddAsync("jti-1", expires, default));
        Assert.True(await cache.TryAddAsync("jti-2", expires, default));

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await cache.TryAddAsync("jti-1", expires.AddMinutes(5), default));
    }

    [Fact]
    public async Task A_forgotten_value_is_accepted_again_and_the_others_stay()
    {
        var time = new FakeTimeProvider();
        var cache = new InMemoryReplayCache(time);
        var expires = time.GetUtcNow().AddMinutes(5);
        await cache.TryAddAsync("jti-1", expires, default);
        await cache.TryAddAsync("jti-2", expires, default);

        await cache.RemoveAsync("jti-1");
        await cache.RemoveAsync("never-added");

        Assert.True(await cache.TryAddAsync("jti-1", expires, default));
        Assert.False(await cache.TryAddAsync("jti-2", expires, default));
    }

    [Fact]
    public async Task Expired_values_are_swept()
    {
        var time = new FakeTimeProvider();
        var cache = new InMemoryReplayCache(time);
        for (var i = 0; i < 300; i++)
        {
            await cache.TryAddAsync("old-" + i, time.GetUtcNow().AddSeconds(1), default);
        }

        time.Advance(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 300; i++)
        {
            await cache.TryAddAsync("new-" + i, time.GetUtcNow().AddSeconds(1), default);
        }

        Assert.True(cache.Count < 600);
    }
}
