using System.Diagnostics;

namespace Bff.Tests.Redis;

/// <summary>Waits for a condition by polling, never by sleeping a fixed time.</summary>
internal static class Polling
{
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

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(25));
        }
    }
}
