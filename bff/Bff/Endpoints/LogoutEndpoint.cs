using Bff.Configuration;
using Bff.Http.Responses;
using Bff.Logging;
using Bff.Oidc;
using Bff.Sessions.Store;
using Bff.Sessions;

namespace Bff.Endpoints;

/// <summary>
/// <c>GET /bff/logout?sid=…&amp;returnUrl=/path</c>: ends the server-side session, then signs out at the
/// provider (RP-initiated logout). The <c>sid</c> must match the session: a cross-site link cannot sign
/// the user out. Nor can a link on another page of the same site (a sibling subdomain): the session cookie
/// travels with same-site navigations, and some providers give every client of a user the same <c>sid</c>.
/// </summary>
internal sealed class LogoutEndpoint(ProviderMetadata metadata, ILogger<LogoutEndpoint> logger) : ILogoutEndpoint
{
    /// <summary>The logout URL for a session: the provider's <c>sid</c>, or the session's public id when the provider issues none.</summary>
    public static string UrlFor(HttpContext context, SessionRecord session) =>
        context.Request.PathBase + BffDefaults.LogoutPath + "?sid=" + Uri.EscapeDataString(LogoutSid(session));

    private static string LogoutSid(SessionRecord session) => session.ProviderSessionId ?? session.PublicId;

    // A browser says where a request came from: the app's own pages (same-origin), or the user's own typing or
    // bookmark (none). A client without fetch metadata has only the sid check.
    private static string? FetchSite(HttpRequest request) =>
        request.Headers.TryGetValue("Sec-Fetch-Site", out var site) ? site.ToString() : null;

    public async Task ProcessRequestAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (await ReturnUrlValidator.ReadAsync(context, logger) is not { } returnUrl)
        {
            return;
        }

        if (await CurrentSession.ReadAsync(context) is not var (session, ticket))
        {
            // Nothing to end here; do not let an anonymous link sign the user out at the provider either.
            context.Response.Redirect(context.Request.PathBase + returnUrl);
            return;
        }

        if (!string.Equals(context.Request.Query["sid"], LogoutSid(session), StringComparison.Ordinal))
        {
            Log.LogoutSidMismatch(logger);
            await ErrorResponse.BadRequestAsync(context, "The sign-out link is not valid for this session. Use the app's Sign out button.");
            return;
        }

        if (FetchSite(context.Request) is { } site && site is not ("same-origin" or "none"))
        {
            Log.LogoutFromElsewhere(logger, site is "same-site" or "cross-site" ? site : "other");
            await ErrorResponse.BadRequestAsync(context, "Sign-out links work only from this app's own pages. Use the app's Sign out button.");
            return;
        }

        var idToken = ticket.Properties.GetTokenValue("id_token");
        await context.SignOutAsync(BffDefaults.CookieScheme);
        // Ended: the redirect away from it says nothing about it (no expiry header).
        CurrentSession.Forget(context);

        try
        {
            // Read before the handler does, which would throw for a provider it cannot reach.
            await metadata.GetAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The local session is already gone; the provider's session outlives it. Say so and move on.
            Log.ProviderUnavailable(logger, ex.GetType().Name, ex.Message);
            context.Response.Redirect(context.Request.PathBase + returnUrl);
            return;
        }

        var properties = new AuthenticationProperties { RedirectUri = returnUrl };
        properties.SetParameter(BffOpenIdConnectEvents.IdTokenHintParameter, idToken);
        await context.SignOutAsync(BffDefaults.OidcScheme, properties);
    }
}
