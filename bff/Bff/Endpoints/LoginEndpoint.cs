using Bff.Configuration;
using Bff.Http.Responses;
using Bff.Logging;
using Bff.Oidc;
using Bff.Sessions.Lifecycle;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Endpoints;

/// <summary>
/// <c>GET /bff/login?returnUrl=/path</c>: starts sign-in at the provider and comes back to a local path.
/// <c>prompt</c>, <c>acr_values</c>, <c>max_age</c> and <c>login_hint</c> pass on to the provider; nothing else does.
/// </summary>
internal sealed class LoginEndpoint(ProviderMetadata metadata, IOptionsMonitor<OpenIdConnectOptions> oidc, ReauthenticationRequirement reauthentication, ILogger<LoginEndpoint> logger) : ILoginEndpoint
{
    private const int MaxParameterLength = 256;

    public async Task ProcessRequestAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (await ReturnUrlValidator.ReadAsync(context, logger) is not { } returnUrl)
        {
            return;
        }

        var properties = new AuthenticationProperties { RedirectUri = context.Request.PathBase + returnUrl };
        foreach (var name in BffOpenIdConnectEvents.PassThroughParameters)
        {
            var values = context.Request.Query[name];
            if (values.Count == 0)
            {
                continue;
            }

            if (values.Count > 1 || !IsAcceptable(name, values[0]))
            {
                await ErrorResponse.BadRequestAsync(context, $"{name} must be given once, as printable text of at most {MaxParameterLength} characters{(name == OpenIdConnectParameterNames.MaxAge ? " (max_age: whole seconds)" : "")}.");
                return;
            }

            properties.SetParameter(name, values[0]);
        }

        // After the query's parameters: a browser whose session was ended elsewhere logs in again, whatever it asked.
        await reauthentication.ApplyAsync(context, properties);

        // The handler would throw for a provider it cannot read; a person gets a page that says what is wrong.
        try
        {
            var configuration = await metadata.GetAsync(context.RequestAborted);
            if (oidc.Get(BffDefaults.OidcScheme).PushedAuthorizationBehavior == PushedAuthorizationBehavior.Require &&
                string.IsNullOrEmpty(configuration.PushedAuthorizationRequestEndpoint))
            {
                throw new ProviderMetadataException("Bff:RequirePushedAuthorization is set, but the provider's discovery document names no pushed_authorization_request_endpoint.");
            }

            await context.ChallengeAsync(BffDefaults.OidcScheme, properties);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted &&
                                   ex is ProviderMetadataException or ProviderUnavailableException or OidcProtocolException or HttpRequestException or IOException)
        {
            Log.SignInNotStarted(logger, ex.GetType().Name, ex.Message);
            await SignInFailurePage.WriteProviderProblemAsync(context, ex);
        }
    }

    private static bool IsAcceptable(string name, string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxParameterLength && value.All(c => c is >= ' ' and <= '~') &&
        (name != OpenIdConnectParameterNames.MaxAge || long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _));
}
