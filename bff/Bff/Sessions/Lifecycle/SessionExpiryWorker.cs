using Bff.Logging;
using Bff.Sessions.Audit;

namespace Bff.Sessions.Lifecycle;

/// <summary>
/// Reports the sessions a store dropped because they expired (ended with <see cref="SessionEndReason.IdleTimeout"/>
/// or <see cref="SessionEndReason.AbsoluteLifetime"/>), and refreshes the active-session count for the metrics
/// once a minute.
/// </summary>
internal sealed class SessionExpiryWorker(
    SessionExpiryQueue queue,
    SessionTerminator terminator,
    ActiveSessionCount activeSessions,
    TimeProvider time,
    ILogger<SessionExpiryWorker> logger) : BackgroundService
{
    public static readonly TimeSpan CountInterval = TimeSpan.FromMinutes(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ReportExpiriesAsync(stoppingToken), CountAsync(stoppingToken));

    private async Task ReportExpiriesAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var expired in queue.Reader.ReadAllAsync(stoppingToken))
            {
                await terminator.ReportExpiredAsync(expired);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CountAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CountInterval, time);
        try
        {
            do
            {
                try
                {
                    await activeSessions.GetAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.SessionCountFailed(logger, ex.GetType().Name);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
