using System.Globalization;
using System.Threading.RateLimiting;
using Bff.Configuration;
using Bff.Http;
using Bff.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bff.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter, set up for the BFF alone (an app's own <c>AddRateLimiter</c> settings are
/// left untouched): a fixed window per client address on <c>/bff/login</c>, the sign-in callback and
/// <c>/bff/backchannel</c>; everything else is not limited. Over the limit: 429 with <c>Retry-After</c>, as
/// problem+json for API callers and a readable page for browser navigations.
/// </summary>
internal static class BffRateLimiter
{
    public static RateLimiterOptions Create(IServiceProvider services)
    {
        var bff = services.GetRequiredService<IOptions<BffOptions>>().Value;
        var addresses = services.GetRequiredService<ClientAddressResolver>();
        var rules = new (PathString Path, string Name, RateLimitRule Rule)[]
        {
            ("/bff/login", "login", bff.RateLimits.Login),
            (bff.CallbackPath, "signin_callback", bff.RateLimits.SignInCallback),
            ("/bff/backchannel", "backchannel", bff.RateLimits.BackChannel),
        };

        return new RateLimiterOptions
        {
            RejectionStatusCode = StatusCodes.Status429TooManyRequests,
            GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                foreach (var (path, name, rule) in rules)
                {
                    if (context.Request.Path.Equals(path, StringComparison.OrdinalIgnoreCase))
                    {
                        var client = addresses.ResolveText(context) ?? "unknown";
                        return RateLimitPartition.GetFixedWindowLimiter(name + "|" + client, _ => new FixedWindowRateLimiterOptions
                        {
                            PermitLimit = rule.PermitLimit,
                            Window = rule.Window,
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        });
                    }
                }

                return RateLimitPartition.GetNoLimiter("unlimited");
            }),
            OnRejected = (rejected, cancellationToken) => RejectAsync(rejected.HttpContext, rejected.Lease, addresses),
        };
    }

    private static async ValueTask RejectAsync(HttpContext context, RateLimitLease lease, ClientAddressResolver addresses)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Bff.RateLimiting");
        Log.RateLimited(logger, context.Request.Path, addresses.ResolveText(context));

        var message = $"Too many attempts from your network. Please wait {seconds} seconds and try again.";
        if (RequestKind.IsBrowserNavigation(context.Request))
        {
            await ErrorPage.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many attempts", message);
        }
        else
        {
            await ProblemResponse.WriteAsync(context, StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests", message);
        }
    }
}
