using Bff.Configuration;
using Bff.Http.Edge;

namespace Bff.RateLimiting;

/// <summary>
/// The sign-in callback's limit per client (<c>Bff:RateLimits:SignInCallback</c>). The callback is the sign-in
/// handler's path, not an endpoint, so endpoint metadata cannot carry its limit; checking the path here rather
/// than in a global limiter keeps every other request (each proxied call) free of a limiter lookup.
/// </summary>
internal sealed class SignInCallbackRateLimit(
    RequestDelegate next,
    IOptions<BffOptions> options,
    ClientAddressResolver addresses,
    [FromKeyedServices(ClientRateLimiter.SignInCallback)] ClientRateLimiter limiter)
{
    private readonly PathString _callback = new(options.Value.CallbackPath);

    public Task InvokeAsync(HttpContext context) =>
        !context.Request.Path.Equals(_callback, StringComparison.OrdinalIgnoreCase) ||
        limiter.TryAcquire(ClientPartition.For(context, addresses), out var retryAfter)
            ? next(context)
            : BffRateLimiter.RejectAsync(context, retryAfter, addresses).AsTask();
}
