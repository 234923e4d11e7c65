using Bff.Antiforgery;
using Bff.Endpoints;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the BFF to the request pipeline.</summary>
public static class BffApplicationBuilderExtensions
{
    /// <summary>
    /// The anti-forgery check, then authentication (the session cookie, and the sign-in and sign-out
    /// callbacks) and authorization. Call after routing (implicit in minimal hosting) and before the endpoints.
    /// </summary>
    public static IApplicationBuilder UseBff(this IApplicationBuilder app)
    {
        app.UseMiddleware<AntiforgeryHeaderMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
