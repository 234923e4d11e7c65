using System.Diagnostics;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// The hash reads asked for while earlier ones wait to be sent are issued together, back to back from one work item,
/// so the client mostly writes them to the socket in one go and Redis answers them in one go, instead of one
/// exchange each (on a Cluster, per node). Under load those socket exchanges and the thread wake-ups around them are
/// most of what a session check costs (bench/README.md, seventh and eighth pass). A read is never answered from an
/// earlier one: each is sent after it was asked for, so it sees every change made before. (The client's <c>IBatch</c>
/// would send them the same way, but the Redis instrumentation then files no command in its request's trace.)
/// </summary>
internal sealed class HashReadBatcher
{
    private readonly Lock _gate = new();
    private List<Pending>? _waiting;

    public Task<RedisValue[]> ReadAsync(IDatabase database, RedisKey key, RedisValue[] fields)
    {
        var done = new TaskCompletionSource<RedisValue[]>();
        bool first;
        lock (_gate)
        {
            first = _waiting is null;
            (_waiting ??= []).Add(new Pending(database, key, fields, done, Activity.Current));
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
        lock (_gate)
        {
            reads = _waiting!;
            _waiting = null;
        }

        // Every command first, then the callers: a caller resumed here (its reply already in) runs until its first
        // wait, which must not hold back the commands behind it.
        var sent = new Task<RedisValue[]>[reads.Count];
        for (var i = 0; i < reads.Count; i++)
        {
            var read = reads[i];
            // Each in its own request's trace (the Redis instrumentation files a command under the current activity).
            // A stopped one (its request gone) is not taken by the setter, so the previous one is cleared first.
            Activity.Current = null;
            Activity.Current = read.Trace is { IsStopped: false } trace ? trace : null;
            try
            {
                sent[i] = read.Database.HashGetAsync(read.Key, read.Fields);
            }
            catch (Exception ex)
            {
                // As the client's own would (a 503 above); the other reads go on.
                sent[i] = Task.FromException<RedisValue[]>(ex);
            }
        }

        Activity.Current = null;

        // The callers resume where the replies arrive, one after another up to their next wait, rather than each being
        // woken on a thread of its own.
        for (var i = 0; i < reads.Count; i++)
        {
            sent[i].ContinueWith(
                static (task, done) => ((TaskCompletionSource<RedisValue[]>)done!).TrySetFromTask(task),
                reads[i].Done,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private readonly record struct Pending(
        IDatabase Database, RedisKey Key, RedisValue[] Fields, TaskCompletionSource<RedisValue[]> Done, Activity? Trace);
}
