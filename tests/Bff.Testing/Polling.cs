using System.Diagnostics;

namespace Bff.Testing;

/// <summary>
/// The one way the tests wait for something another process or a background job does: poll a condition,
/// never sleep a fixed time.
/// </summary>
public static class Polling
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls until <paramref name="done"/> holds or <paramref name="timeout"/> passes; returns the last value and the time taken.</summary>
    public static async Task<(T Value, TimeSpan Elapsed)> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value) || clock.Elapsed > timeout)
            {
                return (value, clock.Elapsed);
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var (done, _) = await UntilAsync(condition, d => d, timeout, interval);
        if (!done)
        {
            throw new TimeoutException($"{what} did not happen within {timeout}");
        }
    }
}
