using Bff.Antiforgery;
using Bff.RateLimiting;
using Bff.Sessions.Cookie;
using Bff.Sessions.Store;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the BFF to the request pipeline.</summary>
public static class BffApplicationBuilderExtensions
{
    /// <summary>
    /// An unreachable session store anywhere after the first step answers 503, never "signed out". Then the
    /// rate limits on sign-in and back-channel logout, the anti-forgery check, authentication (the session
    /// cookie, and the sign-in and sign-out callbacks) and authorization. Call after routing (implicit in
    /// minimal hosting) and before the endpoints. (The security headers need no call: <c>AddBff</c> puts
    /// them in front of the whole pipeline, so the SPA's static files get them too.)
    /// </summary>
    public static IApplicationBuilder UseBff(this IApplicationBuilder app)
    {
        app.UseMiddleware<SessionStoreUnavailableMiddleware>();
        app.UseMiddleware<SignInCallbackRateLimit>();
        app.UseRateLimiter(BffRateLimiter.Create(app.ApplicationServices));
        app.UseMiddleware<AntiforgeryHeaderMiddleware>();
        app.UseMiddleware<SessionExpiryHeaderMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
