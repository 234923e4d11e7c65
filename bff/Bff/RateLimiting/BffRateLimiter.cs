using System.Threading.RateLimiting;
using Bff.Configuration;
using Bff.Http.Edge;
using Bff.Http.Responses;
using Bff.Logging;
using Microsoft.AspNetCore.RateLimiting;

namespace Bff.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter, set up for the BFF alone (an app's own <c>AddRateLimiter</c> settings are
/// left untouched): a fixed window per client (<see cref="ClientPartition"/>) on the <c>/bff/login</c> endpoint
/// (as endpoint metadata, so every path that routes there counts). Over the limit: 429 with <c>Retry-After</c>,
/// as problem+json for API callers and a readable page for browser navigations (<see cref="RejectAsync"/>, shared
/// by the limits that code spends itself: the sign-in callback, back-channel failures, anonymous API calls).
/// </summary>
internal static class BffRateLimiter
{
    public const string LoginPolicy = "Bff.Login";

    public static RateLimiterOptions Create(IServiceProvider services)
    {
        var bff = services.GetRequiredService<IOptions<BffOptions>>().Value;
        var addresses = services.GetRequiredService<ClientAddressResolver>();

        var options = new RateLimiterOptions
        {
            RejectionStatusCode = StatusCodes.Status429TooManyRequests,
            OnRejected = (rejected, cancellationToken) =>
                RejectAsync(rejected.HttpContext, RetryAfter(rejected.Lease), addresses),
        };
        options.AddPolicy(LoginPolicy, context => FixedWindow("login|" + ClientPartition.For(context, addresses), bff.RateLimits.Login));
        return options;
    }

    /// <summary>A fixed window of the rule's permits per key, refused at once (no queue) when spent.</summary>
    internal static RateLimitPartition<string> FixedWindow(string key, RateLimitRule rule) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = rule.PermitLimit,
            Window = rule.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);

    /// <summary>429 with <c>Retry-After</c>: a page for a person, problem+json for a program.</summary>
    public static async ValueTask RejectAsync(HttpContext context, TimeSpan retryAfter, ClientAddressResolver addresses)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

        if (context.RequestServices.GetRequiredService<RejectionLog>().ShouldLog(ClientPartition.For(context, addresses), out var unlogged))
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Bff.RateLimiting");
            Log.RateLimited(logger, context.Request.Path, addresses.ResolveText(context), unlogged);
        }

        await ErrorResponse.WriteAsync(context, StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many attempts",
            $"Too many attempts from your network. Please wait {seconds} seconds and try again.");
    }
}
