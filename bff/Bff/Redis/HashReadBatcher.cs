using System.Diagnostics;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// The hash reads asked for while earlier ones wait to be sent are issued together, back to back from one work item,
/// so the client writes them to the socket in one go and Redis answers them in one go: one write and mostly one read
/// for all of them instead of one each. Under load those socket exchanges and the thread wake-ups around them are most
/// of what a session check costs (bench/README.md, seventh and eighth pass). A read is never answered from an earlier
/// one: each is sent after it was asked for, so it sees every change made before. (The client's <c>IBatch</c> would
/// do the same, but the Redis instrumentation then files no command in its request's trace.)
/// </summary>
internal sealed class HashReadBatcher
{
    private readonly Lock _gate = new();
    private List<Pending>? _waiting;
    private IDatabase? _database;

    public Task<RedisValue[]> ReadAsync(IDatabase database, RedisKey key, RedisValue[] fields)
    {
        var done = new TaskCompletionSource<RedisValue[]>();
        bool first;
        lock (_gate)
        {
            first = _waiting is null;
            (_waiting ??= []).Add(new Pending(key, fields, done, Activity.Current));
            _database = database;
        }

        // The global queue, not this thread's: the work already queued (other connections' requests) runs first and
        // can join the batch.
        if (first)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static batcher => batcher.Send(), this, preferLocal: false);
        }

        return done.Task;
    }

    private void Send()
    {
        List<Pending> reads;
        IDatabase database;
        lock (_gate)
        {
            reads = _waiting!;
            database = _database!;
            _waiting = null;
        }

        try
        {
            foreach (var read in reads)
            {
                // Each command is issued in its own request's trace (the Redis instrumentation files it under the
                // current activity), not in whichever request's trace this work item would have run.
                Activity.Current = read.Trace;
                Complete(database.HashGetAsync(read.Key, read.Fields), read.Done);
            }
        }
        catch (Exception ex)
        {
            // Nobody may be left waiting: a read not sent fails as the client's own would (a 503 above).
            foreach (var read in reads)
            {
                read.Done.TrySetException(ex);
            }
        }
        finally
        {
            Activity.Current = null;
        }
    }

    private static void Complete(Task<RedisValue[]> read, TaskCompletionSource<RedisValue[]> done) =>
        read.ContinueWith(
            static (task, state) => ((TaskCompletionSource<RedisValue[]>)state!).TrySetFromTask(task),
            done,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private readonly record struct Pending(RedisKey Key, RedisValue[] Fields, TaskCompletionSource<RedisValue[]> Done, Activity? Trace);
}
