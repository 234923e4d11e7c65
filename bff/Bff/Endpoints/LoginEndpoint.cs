using Bff.Configuration;
using Bff.Logging;
using Bff.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bff.Endpoints;

/// <summary><c>GET /bff/login?returnUrl=/path</c>: starts sign-in at the provider and comes back to a local path.</summary>
internal static class LoginEndpoint
{
    public static async Task HandleAsync(HttpContext context, ReauthenticationRequirement reauthentication, ILogger<BffOptions> logger)
    {
        context.Response.Headers.CacheControl = "no-store";
        string? returnUrl = context.Request.Query["returnUrl"];
        if (string.IsNullOrEmpty(returnUrl))
        {
            returnUrl = "/";
        }
        else if (!ReturnUrlValidator.IsLocal(returnUrl))
        {
            Log.ReturnUrlRejected(logger);
            await BffEndpointResults.BadRequestAsync(context, "returnUrl must be a path on this site, such as /orders.");
            return;
        }

        var properties = new AuthenticationProperties { RedirectUri = context.Request.PathBase + returnUrl };
        await reauthentication.ApplyAsync(context, properties);
        await context.ChallengeAsync(BffAuthenticationSchemes.Oidc, properties);
    }
}
