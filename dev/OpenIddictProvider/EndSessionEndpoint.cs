using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Server.AspNetCore;

namespace OpenIddictProvider;

/// <summary>
/// RP-initiated logout after OpenIddict validated the request (<c>id_token_hint</c>, <c>post_logout_redirect_uri</c>):
/// the user confirms, the provider session ends, the client gets a back-channel logout, and OpenIddict sends
/// the browser back to the client with its <c>state</c>.
/// </summary>
internal static class EndSessionEndpoint
{
    private const string Path = "/connect/endsession";

    public static void Map(WebApplication app)
    {
        app.MapGet(Path, (HttpContext context) =>
        {
            var request = context.GetOpenIddictServerRequest()
                ?? throw new InvalidOperationException("OpenIddict did not handle this end-session request.");
            // The request's parameters go along with the confirmation: OpenIddict reads them again from the form.
            var hidden = request.GetParameters()
                .Select(p => new KeyValuePair<string, string>(p.Key, (string?)p.Value ?? ""))
                .Where(p => p.Value.Length > 0);
            return Pages.Form("Sign out", Path, hidden, "<p>Sign out of the provider and the application?</p>", "Sign out");
        });

        app.MapPost(Path, async (HttpContext context, BackChannelLogout backChannel) =>
        {
            await AccountEndpoints.EndSessionAsync(context, backChannel);
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/account/logout" },
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        });
    }
}
