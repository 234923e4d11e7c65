namespace Bff.Testing;

/// <summary>
/// The system clock, moved ahead when a test says so. Unlike a frozen fake clock, its timers and delays run in
/// real time, so work that polls or waits on the BFF's clock (one instance waiting for another's token refresh)
/// still makes progress, while "an access token falls due" costs no waiting.
/// </summary>
public sealed class ShiftableClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock ahead by <paramref name="by"/>.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
