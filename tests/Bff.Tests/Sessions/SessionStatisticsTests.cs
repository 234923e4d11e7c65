using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bff.Tests.Sessions;

public sealed class SessionStatisticsTests : IDisposable
{
    private readonly SessionHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task The_health_check_reports_active_sessions_and_counters()
    {
        var (_, one) = await _harness.SignInAsync("alice");
        await _harness.SignInAsync("bob");
        await _harness.Get<SessionTerminator>().EndAsync(one.Id, SessionEndReason.SignOut);
        _harness.Get<SessionStatistics>().RecordFailure(SessionStatistics.FailureSignIn);

        var check = new SessionStatisticsHealthCheck(_harness.Store, _harness.Get<SessionStatistics>());
        var result = await check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("sessions", check, HealthStatus.Unhealthy, null),
        });

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(1L, result.Data["active_sessions"]);
        Assert.Equal(2L, result.Data["sign_ins"]);
        Assert.Equal(1L, result.Data["sign_outs"]);
        Assert.Equal(0L, result.Data["refreshes"]);
        Assert.Equal(1L, result.Data["failures"]);
    }

    [Fact]
    public async Task The_counters_are_metrics_instruments_on_the_Bff_meter()
    {
        var statistics = _harness.Get<SessionStatistics>();
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SessionStatistics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (seen)
            {
                seen[instrument.Name] = seen.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();

        await _harness.SignInAsync();
        statistics.RecordRefresh();
        statistics.RecordActive(7);
        listener.RecordObservableInstruments();

        Assert.Equal(1, seen["bff.sessions.sign_ins"]);
        Assert.Equal(1, seen["bff.sessions.refreshes"]);
        Assert.Equal(7, seen["bff.sessions.active"]);
    }
}
