using Bff.Configuration;
using Bff.Http.Responses;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Bff.Sessions.Cookie;

/// <summary>
/// When an app endpoint demands a signed-in user: API calls get 401/403 problem+json, browser navigations
/// go to <c>/bff/login</c> and come back to where they were.
/// </summary>
internal static class SessionCookieEvents
{
    public static CookieAuthenticationEvents Create() => new()
    {
        OnRedirectToLogin = context =>
        {
            if (!ResponseKind.WantsPage(context.HttpContext))
            {
                return ProblemResponse.NotAuthenticated(context.HttpContext);
            }

            var request = context.HttpContext.Request;
            // Relative to the path base, as /bff/login reads it (it puts the path base back).
            var returnUrl = (request.Path.HasValue ? request.Path.Value : "/") + request.QueryString;
            context.Response.Redirect(request.PathBase + BffDefaults.LoginPath + "?returnUrl=" + Uri.EscapeDataString(returnUrl));
            return Task.CompletedTask;
        },
        OnRedirectToAccessDenied = context =>
            ProblemResponse.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "forbidden", "Forbidden"),
    };
}
