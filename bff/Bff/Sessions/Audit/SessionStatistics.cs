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
    private readonly Counter<long> _signIns;
    private readonly Counter<long> _signOuts;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _failures;
    private long _signInTotal;
    private long _signOutTotal;
    private long _refreshTotal;
    private long _failureTotal;
    private long _active = -1;

    public SessionStatistics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _signIns = _meter.CreateCounter<long>("bff.sessions.sign_ins", "{session}", "Sessions created by a sign-in.");
        _signOuts = _meter.CreateCounter<long>("bff.sessions.sign_outs", "{session}", "Sessions ended, by reason.");
        _refreshes = _meter.CreateCounter<long>("bff.sessions.refreshes", "{refresh}", "Token refreshes of a session.");
        _failures = _meter.CreateCounter<long>("bff.sessions.failures", "{failure}", "Failed sign-ins, refreshes and back-channel logouts.");
        _meter.CreateObservableGauge("bff.sessions.active", ObserveActive, "{session}", "Live sessions in the store, as last counted.");
    }

    public long SignIns => Interlocked.Read(ref _signInTotal);

    public long SignOuts => Interlocked.Read(ref _signOutTotal);

    public long Refreshes => Interlocked.Read(ref _refreshTotal);

    public long Failures => Interlocked.Read(ref _failureTotal);

    public void RecordSignIn()
    {
        Interlocked.Increment(ref _signInTotal);
        _signIns.Add(1);
    }

    public void RecordSignOut(SessionEndReason reason)
    {
        Interlocked.Increment(ref _signOutTotal);
        _signOuts.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
    }

    public void RecordRefresh()
    {
        Interlocked.Increment(ref _refreshTotal);
        _refreshes.Add(1);
    }

    public void RecordFailure(string kind)
    {
        Interlocked.Increment(ref _failureTotal);
        _failures.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    /// <summary>Remembers the store's live-session count for the <c>bff.sessions.active</c> gauge.</summary>
    public void RecordActive(long count) => Interlocked.Exchange(ref _active, count);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        var active = Interlocked.Read(ref _active);
        return active < 0 ? [] : [new Measurement<long>(active)];
    }
}
