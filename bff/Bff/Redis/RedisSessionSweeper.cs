using Bff.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bff.Redis;

/// <summary>
/// Every <see cref="Interval"/>, ends the Redis sessions that expired without a request noticing, so their
/// refresh tokens are revoked and their end is audited (the in-memory store's sweep does the same).
/// </summary>
internal sealed class RedisSessionSweeper(RedisSessionStore store, TimeProvider time, ILogger<RedisSessionSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await store.SweepAsync(stoppingToken);
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
}
