using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bff.Sessions.Audit;

/// <summary>
/// Health check <c>sessions</c>: the store's live-session count and this instance's counters in <c>data</c>
/// (<c>active_sessions</c>, <c>sign_ins</c>, <c>sign_outs</c>, <c>refreshes</c>, <c>failures</c>).
/// Unhealthy when the store cannot be counted. The count is at most <see cref="ActiveSessionCount.MaxAge"/> old.
/// </summary>
internal sealed class SessionStatisticsHealthCheck(ActiveSessionCount count, SessionStatistics statistics) : IHealthCheck
{
    public const string Name = "sessions";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["sign_ins"] = statistics.SignIns,
            ["sign_outs"] = statistics.SignOuts,
            ["refreshes"] = statistics.Refreshes,
            ["failures"] = statistics.Failures,
        };

        try
        {
            var active = await count.GetAsync(cancellationToken);
            data["active_sessions"] = active;
            return HealthCheckResult.Healthy($"{active} active session(s).", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The session store cannot be counted.", ex, data);
        }
    }
}
