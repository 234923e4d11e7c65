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

    // Reads left in flight while the writes go on: each must see at least the write made before it was asked for
    // (a later one is fine, as its batch may be sent after more writes), never an earlier read's answer.
    [Fact]
    public async Task A_read_asked_for_after_a_write_sees_it()
    {
        var key = RedisFixture.NewPrefix() + "k";
        var batcher = new HashReadBatcher();
        var reads = new List<(int Written, Task<RedisValue[]> Read)>();
        for (var i = 0; i < 500; i++)
        {
            await redis.Inspect.HashSetAsync(key, "a", i);
            reads.Add((i, batcher.ReadAsync(redis.Inspect, key, Fields)));
        }

        foreach (var (written, read) in reads)
        {
            Assert.True((int)(await read)[0] >= written, $"the read asked for after write {written} saw an older value");
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

    [Fact]
    public async Task A_command_the_client_refuses_fails_its_own_read_only()
    {
        var partly = DispatchProxy.Create<IDatabase, RefusesKeyBad>();
        var batcher = new HashReadBatcher();

        var reads = new[] { "a", "bad", "c" }.Select(key => batcher.ReadAsync(partly, key, Fields)).ToList();

        Assert.Equal(["ok"], await reads[0]);
        await Assert.ThrowsAsync<ArgumentException>(() => reads[1]);
        Assert.Equal(["ok"], await reads[2]);
    }

    /// <summary>A client that answers every hash read with "ok", and refuses the key <c>bad</c> at once.</summary>
    public class RefusesKeyBad : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            (string?)(RedisKey)args![0]! == "bad"
                ? throw new ArgumentException("The test's client refuses this key.")
                : Task.FromResult(new RedisValue[] { "ok" });
    }

    /// <summary>A client whose every command throws at once, as one that is being disposed does.</summary>
    public class ThrowingDatabase : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new RedisConnectionException(ConnectionFailureType.SocketClosed, CommandFlags.None, "The test's client cannot send.", null, CommandStatus.Unknown);
    }
}
