using Bff.Antiforgery;
using Bff.Endpoints;
using Bff.Sessions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the BFF to the request pipeline.</summary>
public static class BffApplicationBuilderExtensions
{
    /// <summary>
    /// The anti-forgery check, then authentication (the session cookie, and the sign-in and sign-out
    /// callbacks) and authorization. Call after routing (implicit in minimal hosting) and before the endpoints.
    /// An unreachable session store anywhere after this point answers 503, never "signed out".
    /// </summary>
    public static IApplicationBuilder UseBff(this IApplicationBuilder app)
    {
        app.UseMiddleware<SessionStoreUnavailableMiddleware>();
        app.UseMiddleware<AntiforgeryHeaderMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
