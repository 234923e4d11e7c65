using Bff.Configuration;
using Microsoft.AspNetCore.Builder;

namespace Bff.RateLimiting;

/// <summary>Registers the rate limiters of sign-in, back-channel logout and anonymous API calls.</summary>
internal static class RateLimitingServices
{
    public static IServiceCollection AddBffRateLimiting(this IServiceCollection services)
    {
        // The BFF's limits are passed to its own UseRateLimiter in UseBff; this only registers the services.
        services.AddRateLimiter(static _ => { });
        services.TryAddSingleton<RejectionLog>();
        services.TryAddKeyedSingleton(ClientRateLimiter.BackChannelFailures, static (sp, _) =>
            new ClientRateLimiter(sp.GetRequiredService<IOptions<BffOptions>>().Value.RateLimits.BackChannel));
        services.TryAddKeyedSingleton(ClientRateLimiter.AnonymousApi, static (sp, _) =>
            new ClientRateLimiter(sp.GetRequiredService<IOptions<BffOptions>>().Value.RateLimits.AnonymousApi));
        services.TryAddKeyedSingleton(ClientRateLimiter.SignInCallback, static (sp, _) =>
            new ClientRateLimiter(sp.GetRequiredService<IOptions<BffOptions>>().Value.RateLimits.SignInCallback));
        return services;
    }
}
