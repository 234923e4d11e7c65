using System.Reflection;
using StackExchange.Redis;

namespace Bff.Tests.Redis;

/// <summary>
/// Session checks sent to Redis together: each read gets its own key's answer, even thousands in flight at once, and
/// a batch that cannot be sent leaves nobody waiting.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HashReadBatcherTests(RedisFixture redis)
{
    private static readonly RedisValue[] Fields = ["a", "b"];

    [Fact]
    public async Task Thousands_of_reads_in_flight_together_each_get_their_own_keys_fields()
    {
        var prefix = RedisFixture.NewPrefix();
        const int keys = 3_000;
        var writes = new List<Task>();
        for (var i = 0; i < keys; i++)
        {
            writes.Add(redis.Inspect.HashSetAsync(prefix + i, [new("a", "a" + i), new("b", "b" + i)]));
        }

        await Task.WhenAll(writes);
        var batcher = new HashReadBatcher();

        // From several threads at once, missing keys among them, the same key more than once.
        var reads = new Task<RedisValue[]>[4 * keys];
        Parallel.For(0, reads.Length, n => reads[n] = batcher.ReadAsync(redis.Inspect, prefix + (n % (keys + 100)), Fields));
        var answers = await Task.WhenAll(reads);

        for (var n = 0; n < answers.Length; n++)
        {
            var i = n % (keys + 100);
            Assert.Equal(i < keys ? new RedisValue[] { "a" + i, "b" + i } : [RedisValue.Null, RedisValue.Null], answers[n]);
        }
    }

    [Fact]
    public async Task A_read_asked_for_after_a_write_sees_it()
    {
        var key = RedisFixture.NewPrefix() + "k";
        var batcher = new HashReadBatcher();
        for (var i = 0; i < 200; i++)
        {
            await redis.Inspect.HashSetAsync(key, "a", i);
            Assert.Equal(i, (int)(await batcher.ReadAsync(redis.Inspect, key, Fields))[0]);
        }
    }

    [Fact]
    public async Task A_batch_the_client_cannot_send_fails_every_read_in_it()
    {
        var broken = DispatchProxy.Create<IDatabase, ThrowingDatabase>();
        var batcher = new HashReadBatcher();

        var reads = Enumerable.Range(0, 50).Select(i => batcher.ReadAsync(broken, "k" + i, Fields)).ToList();

        foreach (var read in reads)
        {
            var failed = await Assert.ThrowsAsync<RedisConnectionException>(() => read.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("test's client", failed.Message);
        }
    }

    /// <summary>A client whose every command throws at once, as one that is being disposed does.</summary>
    public class ThrowingDatabase : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new RedisConnectionException(ConnectionFailureType.SocketClosed, CommandFlags.None, "The test's client cannot send.", null, CommandStatus.Unknown);
    }
}
