using Bff.Logging;
using Bff.Sessions.Lifecycle;

namespace Bff.Redis;

/// <summary>
/// Every <see cref="Interval"/>, ends the Redis sessions whose idle or absolute limit passed without a request
/// noticing: has their refresh tokens revoked, records their end and removes their index entries (through
/// <see cref="SessionTerminator"/>). Instances share the work: each claims batches of due sessions atomically
/// from the schedule buckets (starting at a random bucket), and only the one whose take deletes a session
/// ends it. A claim not finished within <see cref="ClaimLease"/> (the instance died) is claimed again.
/// </summary>
internal sealed class RedisSessionSweeper(
    RedisSessionStore store,
    SessionTerminator terminator,
    TimeProvider time,
    ILogger<RedisSessionSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed session stays with its claimer.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(1);

    /// <summary>Sessions claimed at a time from one bucket.</summary>
    public const int Batch = 200;

    /// <summary>Sessions ended at once (each end writes its reason and audit event; the revocation waits in the background).</summary>
    public const int Parallelism = 16;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RedisSweepFailed(logger, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Ends every session due now (all buckets, batch after batch); returns how many this instance ended.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var ended = 0;
        var first = Random.Shared.Next(RedisKeys.ExpiryBuckets);
        for (var i = 0; i < RedisKeys.ExpiryBuckets; i++)
        {
            var bucket = (first + i) % RedisKeys.ExpiryBuckets;
            IReadOnlyList<string> claimed;
            do
            {
                claimed = await store.ClaimExpiredAsync(bucket, Batch, ClaimLease, cancellationToken);
                ended += await EndAsync(claimed, cancellationToken);
            }
            while (claimed.Count == Batch);
        }

        if (ended > 0)
        {
            Log.RedisSweepEnded(logger, ended, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return ended;
    }

    private async Task<int> EndAsync(IReadOnlyList<string> claimed, CancellationToken cancellationToken)
    {
        var ended = 0;
        // Stopping leaves a claimed session not yet taken for the next claim (after the lease); one taken is
        // always reported, its refresh token queued for revocation.
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (id, ct) =>
            {
                try
                {
                    if (await store.EndExpiredAsync(id, ct) is { } expired)
                    {
                        await terminator.ReportExpiredAsync(expired);
                        Interlocked.Increment(ref ended);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One session that cannot be taken now (a record the take script cannot read, a take that timed
                    // out) must not stop the rest of the batch; its claim runs out and it is tried again.
                    Log.RedisSweepFailed(logger, ex.GetType().Name);
                }
            });
        return ended;
    }
}
