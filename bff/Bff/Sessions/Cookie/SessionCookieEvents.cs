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
            // Relative to the path base, as /bff/login reads it (it puts the path base back). A query too long to come
            // back through the provider is dropped: the page, without it, beats a failed sign-in.
            var path = request.Path.HasValue ? request.Path.Value : "/";
            var returnUrl = path + request.QueryString;
            if (returnUrl.Length > Oidc.ReturnUrlValidator.MaxLength)
            {
                returnUrl = path.Length <= Oidc.ReturnUrlValidator.MaxLength ? path : "/";
            }

            context.Response.Redirect(request.PathBase + BffDefaults.LoginPath + "?returnUrl=" + Uri.EscapeDataString(returnUrl));
            return Task.CompletedTask;
        },
        OnRedirectToAccessDenied = context =>
            ProblemResponse.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "forbidden", "Forbidden"),
    };
}
