using System.Diagnostics.Metrics;
using Bff.Sessions.Lifecycle;

namespace Bff.Sessions.Audit;

/// <summary>
/// Session counters of this instance, as System.Diagnostics.Metrics instruments on the <c>Bff</c> meter
/// (<c>bff.sessions.sign_ins</c>, <c>bff.sessions.sign_outs</c> tagged with the end reason,
/// <c>bff.sessions.refreshes</c>, <c>bff.sessions.failures</c> tagged with the kind, and the gauge
/// <c>bff.sessions.active</c>), and as plain totals for the health check.
/// </summary>
internal sealed class SessionStatistics : IDisposable
{
    public const string MeterName = Diagnostics.BffTelemetry.MeterName;
    public const string FailureSignIn = "sign_in";
    public const string FailureRefresh = "refresh";
    public const string FailureBackChannel = "back_channel";

    private readonly Meter _meter;
    private readonly Tally _signIns;
    private readonly Tally _signOuts;
    private readonly Tally _refreshes;
    private readonly Tally _failures;
    private long _active = -1;

    public SessionStatistics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _signIns = new(_meter.CreateCounter<long>("bff.sessions.sign_ins", "{session}", "Sessions created by a sign-in."));
        _signOuts = new(_meter.CreateCounter<long>("bff.sessions.sign_outs", "{session}", "Sessions ended, by reason."));
        _refreshes = new(_meter.CreateCounter<long>("bff.sessions.refreshes", "{refresh}", "Token refreshes of a session."));
        _failures = new(_meter.CreateCounter<long>("bff.sessions.failures", "{failure}", "Failed sign-ins, refreshes and back-channel logouts."));
        _meter.CreateObservableGauge("bff.sessions.active", ObserveActive, "{session}", "Live sessions in the store, as last counted.");
    }

    public long SignIns => _signIns.Total;

    public long SignOuts => _signOuts.Total;

    public long Refreshes => _refreshes.Total;

    public long Failures => _failures.Total;

    public void RecordSignIn() => _signIns.Add([]);

    public void RecordSignOut(SessionEndReason reason) => _signOuts.Add([new("reason", reason.ToString())]);

    public void RecordRefresh() => _refreshes.Add([]);

    public void RecordFailure(string kind) => _failures.Add([new("kind", kind)]);

    /// <summary>Remembers the store's live-session count for the <c>bff.sessions.active</c> gauge.</summary>
    public void RecordActive(long count) => Interlocked.Exchange(ref _active, count);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        var active = Interlocked.Read(ref _active);
        return active < 0 ? [] : [new Measurement<long>(active)];
    }

    /// <summary>A counter instrument and its plain total for the health check.</summary>
    private sealed class Tally(Counter<long> counter)
    {
        private long _total;

        public long Total => Interlocked.Read(ref _total);

        public void Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Interlocked.Increment(ref _total);
            counter.Add(1, tags);
        }
    }
}
