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

        var check = new SessionStatisticsHealthCheck(_harness.Get<ActiveSessionCount>(), _harness.Get<SessionStatistics>());
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
    public async Task Readiness_probes_count_the_store_at_most_once_per_max_age()
    {
        // /health/ready is anonymous: however often it is called, the store is counted once per MaxAge.
        var store = new CountingStore(_harness.Store);
        var count = new ActiveSessionCount(store, _harness.Get<SessionStatistics>(), _harness.Time);
        await _harness.SignInAsync("alice");

        var first = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => count.GetAsync(CancellationToken.None)));
        await _harness.SignInAsync("bob");
        Assert.Equal(1L, await count.GetAsync(CancellationToken.None));
        Assert.All(first, n => Assert.Equal(1L, n));
        Assert.Equal(1, store.Counts);

        _harness.Time.Advance(ActiveSessionCount.MaxAge);
        Assert.Equal(2L, await count.GetAsync(CancellationToken.None));
        Assert.Equal(2, store.Counts);
    }

    [Fact]
    public async Task A_failed_count_is_not_kept()
    {
        var store = new CountingStore(_harness.Store) { Fails = true };
        var count = new ActiveSessionCount(store, _harness.Get<SessionStatistics>(), _harness.Time);

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => count.GetAsync(CancellationToken.None));
        store.Fails = false;
        Assert.Equal(0L, await count.GetAsync(CancellationToken.None));
        Assert.Equal(2, store.Counts);
    }

    /// <summary>The harness's store, counting (or failing) its counts.</summary>
    private sealed class CountingStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        private int _counts;

        public int Counts => _counts;

        public bool Fails { get; set; }

        public override async Task<long> CountAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _counts);
            await Task.Yield();
            return Fails ? throw new SessionStoreUnavailableException("test", new TimeoutException()) : await base.CountAsync(cancellationToken);
        }
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
                // This harness's meter only: tests running alongside have their own "Bff" meters.
                if (instrument.Meter.Name == SessionStatistics.MeterName && ReferenceEquals(instrument.Meter.Scope, _harness.Get<IMeterFactory>()))
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
