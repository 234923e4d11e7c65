using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;

namespace OpenIddictProvider;

/// <summary>
/// The user's session at the provider: a login form that accepts any user name (a development provider has
/// no passwords to check) and a sign-out page that ends the provider session and tells the client.
/// </summary>
internal static class AccountEndpoints
{
    public const string SessionIdClaim = "sid";

    public static void Map(WebApplication app)
    {
        app.MapGet("/account/login", (string? returnUrl) => LoginForm(returnUrl ?? "/", error: null));

        app.MapPost("/account/login", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var login = form["login"].ToString().Trim();
            var returnUrl = form["returnUrl"].ToString();
            if (!IsLocal(returnUrl))
            {
                return Pages.Html("Bad request", "<p>The return address is not on this provider.</p>", StatusCodes.Status400BadRequest);
            }

            if (login.Length is 0 or > 100)
            {
                return LoginForm(returnUrl, "Enter a user name.");
            }

            var identity = new ClaimsIdentity(
            [
                new Claim("sub", login),
                new Claim(SessionIdClaim, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))),
                new Claim("auth_time", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString()),
            ], ProviderApp.SessionScheme, "sub", "role");
            await context.SignInAsync(ProviderApp.SessionScheme, new ClaimsPrincipal(identity));
            return Results.Redirect(returnUrl);
        });

        // Signing out at the provider itself (not through a client): every client of the session is told.
        app.MapGet("/account/logout", () =>
            Pages.Form("Sign out of the provider", "/account/logout", [], "", "Sign out"));

        app.MapPost("/account/logout", async (HttpContext context, BackChannelLogout backChannel) =>
        {
            await EndSessionAsync(context, backChannel);
            return Pages.Html("Signed out", "<p>You are signed out of the provider.</p>");
        });
    }

    /// <summary>Ends the provider session in this browser, if any, and sends the back-channel logout for it.</summary>
    public static async Task EndSessionAsync(HttpContext context, BackChannelLogout backChannel)
    {
        var session = await context.AuthenticateAsync(ProviderApp.SessionScheme);
        await context.SignOutAsync(ProviderApp.SessionScheme);
        if (session.Principal?.FindFirst("sub")?.Value is { } subject && session.Principal.FindFirst(SessionIdClaim)?.Value is { } sid)
        {
            await backChannel.SendAsync(subject, sid, context.RequestAborted);
        }
    }

    private static IResult LoginForm(string returnUrl, string? error) => Pages.Form(
        "Sign in", "/account/login", [new("returnUrl", returnUrl)],
        (error is null ? "" : $"<p role=\"alert\">{Pages.Encode(error)}</p>")
        + "<label>User <input name=\"login\" autocomplete=\"username\"></label>"
        + "<label>Password <input name=\"password\" type=\"password\"></label>",
        "Sign in");

    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
