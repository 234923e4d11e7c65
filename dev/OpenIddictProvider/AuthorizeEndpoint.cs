using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenIddictProvider;

/// <summary>
/// The authorization endpoint after OpenIddict validated the request: sends the browser to the login form
/// when there is no provider session (or <c>prompt=login</c>), then lets OpenIddict issue the code.
/// </summary>
internal static class AuthorizeEndpoint
{
    public static void Map(WebApplication app) =>
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], async (HttpContext context) =>
        {
            var request = context.GetOpenIddictServerRequest()
                ?? throw new InvalidOperationException("OpenIddict did not handle this authorization request.");
            var session = await context.AuthenticateAsync(ProviderApp.SessionScheme);
            if (!session.Succeeded || request.HasPromptValue(PromptValues.Login))
            {
                if (request.HasPromptValue(PromptValues.None))
                {
                    return Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
                    {
                        [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.LoginRequired,
                        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The user is not signed in.",
                    }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
                }

                // Back here after the login form, without prompt=login so the new sign-in is not asked for again.
                var parameters = (context.Request.HasFormContentType ? context.Request.Form.ToList() : context.Request.Query.ToList())
                    .Where(p => p.Key != Parameters.Prompt);
                return Results.Challenge(new AuthenticationProperties
                {
                    RedirectUri = context.Request.PathBase + context.Request.Path + QueryString.Create(parameters),
                }, [ProviderApp.SessionScheme]);
            }

            var user = session.Principal!;
            var subject = user.FindFirst("sub")!.Value;
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, subject)
                .SetClaim(Claims.Name, subject)
                .SetClaim(Claims.Email, $"{subject}@example.test")
                .SetClaim(AccountEndpoints.SessionIdClaim, user.FindFirst(AccountEndpoints.SessionIdClaim)!.Value)
                .SetClaim(Claims.AuthenticationTime, long.Parse(user.FindFirst("auth_time")!.Value));
            identity.SetScopes(request.GetScopes());
            if (request.HasScope(ClientRegistration.ApiScope))
            {
                identity.SetResources(ClientRegistration.ApiScope);
            }

            identity.SetDestinations(claim => claim.Type switch
            {
                Claims.Name when identity.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
                Claims.Email when identity.HasScope(Scopes.Email) => [Destinations.IdentityToken],
                AccountEndpoints.SessionIdClaim or Claims.AuthenticationTime => [Destinations.IdentityToken],
                _ => [Destinations.AccessToken],
            });

            return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
}
