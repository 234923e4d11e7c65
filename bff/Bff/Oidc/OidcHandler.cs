using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Bff.Endpoints;
using Bff.Http;
using Bff.Logging;
using Bff.Sessions;
using Bff.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Oidc;

/// <summary>
/// OpenID Connect on top of the OAuth handler, which already does correlation, the protected <c>state</c>
/// and PKCE: this adds discovery, the nonce, id_token validation, the RFC 9207 <c>iss</c> check and
/// RP-initiated logout with its callback.
/// </summary>
internal sealed class OidcHandler(
    IOptionsMonitor<OidcOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ProviderMetadata metadata,
    IdTokenValidator idTokens,
    TokenEndpointClient tokenEndpoint)
    : OAuthHandler<OidcOptions>(options, loggerFactory, encoder), IAuthenticationSignOutHandler
{
    internal const string NonceKey = "nonce";
    internal const string IdTokenHintParameter = "id_token_hint";
    private const string CodeVerifierKey = "code_verifier";

    private readonly ILogger _log = loggerFactory.CreateLogger("Bff.Oidc");
    private OpenIdConnectConfiguration? _configuration;

    public override async Task<bool> HandleRequestAsync()
    {
        if (Request.Path == Options.SignedOutCallbackPath)
        {
            await HandleSignedOutCallbackAsync();
            return true;
        }

        return await base.HandleRequestAsync();
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        try
        {
            _configuration = await metadata.GetAsync(Context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ProviderUnavailable(_log, ex.GetType().Name, ex.Message);
            await ErrorPage.WriteAsync(Context, StatusCodes.Status503ServiceUnavailable,
                "Sign-in is unavailable", "The identity provider cannot be reached right now. Please try again in a moment.");
            return;
        }

        await base.HandleChallengeAsync(properties);
    }

    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        var codeVerifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var nonce = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

        // Both travel inside the data-protected state, bound to this browser by the correlation cookie.
        properties.Items[CodeVerifierKey] = codeVerifier;
        properties.Items[NonceKey] = nonce;

        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = Options.ClientId,
            ["response_type"] = "code",
            ["scope"] = FormatScope(),
            ["redirect_uri"] = redirectUri,
            ["code_challenge"] = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier))),
            ["code_challenge_method"] = "S256",
            ["nonce"] = nonce,
            ["state"] = Options.StateDataFormat.Protect(properties),
        };

        // Set by the BFF itself (never taken from the query): a browser whose session was ended elsewhere logs in again.
        if (properties.GetParameter<string>(ReauthenticationRequirement.PromptParameter) is { } prompt)
        {
            parameters[ReauthenticationRequirement.PromptParameter] = prompt;
        }

        return QueryHelpers.AddQueryString(_configuration!.AuthorizationEndpoint, parameters);
    }

    protected override async Task<HandleRequestResult> HandleRemoteAuthenticateAsync()
    {
        _configuration = await metadata.GetAsync(Context.RequestAborted);

        // RFC 9207: the authorization response names its issuer, so a response from another provider
        // (a mix-up attack) is refused before its code is used anywhere.
        var iss = Request.Query["iss"];
        if ((_configuration.AuthorizationResponseIssParameterSupported || iss.Count > 0) &&
            !string.Equals(iss, _configuration.Issuer, StringComparison.Ordinal))
        {
            return HandleRequestResult.Fail(new OidcProtocolException("The sign-in response came from an unexpected issuer."));
        }

        return await base.HandleRemoteAuthenticateAsync();
    }

    protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = context.Code,
            ["redirect_uri"] = context.RedirectUri,
        };
        if (context.Properties.Items.Remove(CodeVerifierKey, out var codeVerifier) && codeVerifier is not null)
        {
            form[CodeVerifierKey] = codeVerifier;
        }

        var response = await tokenEndpoint.PostAsync(_configuration!.TokenEndpoint, form, Context.RequestAborted);
        if (!response.IsSuccess)
        {
            Log.CodeExchangeFailed(_log, response.Error!);
            return OAuthTokenResponse.Failed(new OidcProtocolException(response.IsTransient
                ? "The identity provider cannot be reached right now. Please try again in a moment."
                : "The sign-in code was rejected by the identity provider (it may have been used already). Please sign in again."));
        }

        return OAuthTokenResponse.Success(System.Text.Json.JsonDocument.Parse(response.Json!));
    }

    protected override async Task<AuthenticationTicket> CreateTicketAsync(System.Security.Claims.ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        var idToken = TokenResponse.String(tokens.Response!.RootElement, "id_token")
            ?? throw new OidcProtocolException("The identity provider returned no id_token.");

        properties.Items.Remove(NonceKey, out var nonce);
        var validated = await idTokens.ValidateAsync(idToken, nonce ?? throw new OidcProtocolException("The sign-in request lost its nonce."), Context.RequestAborted);

        var user = OidcClaims.CreateIdentity(validated);
        // The session's tokens, written the same way a refresh writes them (expires_at and issued_at
        // included: together they give the token's lifetime, which bounds how early it is refreshed).
        SessionTokens.Apply(properties, TokenResponse.Success(tokens.Response.RootElement.GetRawText()), TimeProvider.GetUtcNow());

        return await base.CreateTicketAsync(user, properties, tokens);
    }

    public async Task SignOutAsync(AuthenticationProperties? properties)
    {
        var returnUrl = properties?.RedirectUri ?? "/";
        OpenIdConnectConfiguration? configuration = null;
        try
        {
            configuration = await metadata.GetAsync(Context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The local session is already gone; the provider's session outlives it. Say so and move on.
            Log.ProviderUnavailable(_log, ex.GetType().Name, ex.Message);
        }

        if (string.IsNullOrEmpty(configuration?.EndSessionEndpoint))
        {
            Response.Redirect(OriginalPathBase + returnUrl);
            return;
        }

        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = Options.ClientId,
            ["post_logout_redirect_uri"] = BuildRedirectUri(Options.SignedOutCallbackPath),
            ["state"] = Options.StateDataFormat.Protect(new AuthenticationProperties { RedirectUri = returnUrl }),
        };
        var idTokenHint = properties?.GetParameter<string>(IdTokenHintParameter);
        if (!string.IsNullOrEmpty(idTokenHint))
        {
            parameters[IdTokenHintParameter] = idTokenHint;
        }

        Response.Redirect(QueryHelpers.AddQueryString(configuration.EndSessionEndpoint, parameters));
    }

    private Task HandleSignedOutCallbackAsync()
    {
        // An unreadable state (expired, forged) still ends at the app's home page: the user is signed out either way.
        var state = Options.StateDataFormat.Unprotect(Request.Query["state"]);
        var returnUrl = state?.RedirectUri is { } url && ReturnUrlValidator.IsLocal(url) ? url : "/";
        Response.Headers.CacheControl = "no-store";
        Response.Redirect(OriginalPathBase + returnUrl);
        return Task.CompletedTask;
    }
}
