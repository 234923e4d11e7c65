using Bff.Configuration;
using System.Threading.RateLimiting;

namespace Bff.RateLimiting;

/// <summary>
/// A fixed-window budget per client (<see cref="ClientPartition"/>) that code spends itself, for limits the
/// endpoint middleware cannot express: back-channel logout spends it on failures only (a provider's burst of
/// genuine logouts is never refused, someone guessing at tokens is), anonymous client-token calls and the
/// sign-in callback (a path, not an endpoint) on every call.
/// </summary>
internal sealed class ClientRateLimiter(RateLimitRule rule) : IDisposable
{
    public const string BackChannelFailures = "Bff.BackChannelFailures";
    public const string AnonymousApi = "Bff.AnonymousApi";
    public const string SignInCallback = "Bff.SignInCallback";

    private readonly PartitionedRateLimiter<string> _limiter =
        PartitionedRateLimiter.Create<string, string>(client => BffRateLimiter.FixedWindow(client, rule));

    /// <summary>Spends one permit; false (and how long to wait) when the client has none left.</summary>
    public bool TryAcquire(string client, out TimeSpan retryAfter) => Acquire(client, 1, out retryAfter);

    /// <summary>True when the client has no permit left, without spending one.</summary>
    public bool IsExhausted(string client, out TimeSpan retryAfter) => !Acquire(client, 0, out retryAfter);

    private bool Acquire(string client, int permits, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(client, permits);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : rule.Window;
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
