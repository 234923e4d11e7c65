namespace Bff.Diagnostics;

/// <summary>
/// The names to give OpenTelemetry (or any <see cref="ActivityListener"/>/<c>MeterListener</c>) to collect the
/// BFF's own traces and metrics: <c>tracing.AddSource(BffTelemetry.ActivitySourceName)</c>,
/// <c>metrics.AddMeter(BffTelemetry.MeterName)</c>. Spans carry ids and outcomes, never a token or a cookie.
/// </summary>
public static class BffTelemetry
{
    /// <summary>The activity source of sign-in, token refresh and proxied-call spans.</summary>
    public const string ActivitySourceName = "Bff";

    /// <summary>The meter of the session and token counters (<c>bff.sessions.*</c>, <c>bff.tokens.*</c>).</summary>
    public const string MeterName = "Bff";

    internal static readonly ActivitySource Source = new(ActivitySourceName);
}
