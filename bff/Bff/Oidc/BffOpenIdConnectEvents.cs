using Bff.Configuration;
using Bff.Sessions.Cookie;
using Bff.Sessions.Lifecycle;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Oidc;

/// <summary>
/// What the BFF adds to ASP.NET Core's OpenID Connect handler, through its events: the RFC 9207 <c>iss</c>
/// check, the code exchange and the pushed authorization request with the BFF's client and its classification
/// of failures (refusal → 400, outage → 503), the nonce bound to the sign-in request, single sign-on refused back
/// into a provider session ended from elsewhere (<see cref="ReauthenticationRequirement"/>), an earlier
/// authentication given for <c>prompt=login</c> or <c>max_age</c> (<see cref="AuthenticationAge"/>), the browser's current session
/// ended by the sign-in it starts, unfinished sign-ins' cookies cleared, the session's tokens and
/// claims, readable pages instead of exceptions, and sign-out that works without an <c>end_session_endpoint</c>.
/// Replace or extend any of it with <c>ConfigureOpenIdConnect</c>: the handler calls these through
/// <see cref="OpenIdConnectOptions.Events"/>.
/// </summary>
internal sealed class BffOpenIdConnectEvents(
    ProviderMetadata metadata,
    TokenEndpointClient tokenEndpoint,
    ProviderTokenValidator providerTokens,
    ReauthenticationRequirement reauthentication,
    IOptions<BffOptions> options,
    TimeProvider time) : OpenIdConnectEvents
{
    /// <summary>Authorize parameters that <c>/bff/login</c> passes on from its query, as authentication-properties parameters.</summary>
    public static readonly string[] PassThroughParameters =
        [OpenIdConnectParameterNames.Prompt, OpenIdConnectParameterNames.AcrValues, OpenIdConnectParameterNames.MaxAge, OpenIdConnectParameterNames.LoginHint];

    /// <summary>The <c>id_token_hint</c> a sign-out passes, as an authentication-properties parameter.</summary>
    public const string IdTokenHintParameter = OpenIdConnectParameterNames.IdTokenHint;

    // The nonce travels in the data-protected state too, so the id_token must carry this request's nonce,
    // not merely one this browser holds a cookie for.
    private const string NonceKey = "bff.nonce";
    // The passed-through authorize parameters, kept in the state for a sign-in that must be asked again.
    private const string AuthorizeItemPrefix = "bff.authorize.";
    // Marks a sign-in that is that second asking: it is not asked a third time.
    private const string AskedAgainItem = "bff.asked_again";
    // When the sign-in started (Unix seconds): its state is refused after RemoteAuthenticationTimeout, whatever cookies
    // the browser kept (the handler bounds only the correlation cookie's lifetime, which the browser enforces).
    private const string StartedItem = "bff.started";
    private static readonly object TokenResponseKey = new();
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    // OAuth errors that say the provider or the BFF's registration is in trouble, not the request.
    private static readonly string[] ProviderSideErrors = ["invalid_client", "unauthorized_client", "server_error", "temporarily_unavailable"];

    public override async Task RedirectToIdentityProvider(RedirectContext context)
    {
        // Every sign-in start, /bff/login's or an app's own challenge: the session this browser holds ends when the
        // sign-in completes, and a pile of unfinished sign-ins' cookies goes first.
        SessionCookieHandler.NoteSessionToReplace(context.HttpContext, context.Properties);
        if (PendingSignInCookies.Count(context.HttpContext) >= PendingSignInCookies.MaxPending)
        {
            PendingSignInCookies.DeleteAll(context.HttpContext, context.Options);
        }

        if (context.ProtocolMessage.Nonce is { } nonce)
        {
            context.Properties.Items[NonceKey] = nonce;
        }

        foreach (var name in PassThroughParameters)
        {
            if (context.Properties.GetParameter<string>(name) is { Length: > 0 } value)
            {
                context.ProtocolMessage.SetParameter(name, value);
                context.Properties.Items[AuthorizeItemPrefix + name] = value;
            }
        }

        await base.RedirectToIdentityProvider(context);

        // Remembered in the protected state (the app's own delegate may have set prompt or max_age too): the callback
        // then knows whether the provider was asked to authenticate the user again, and how recently.
        var now = time.GetUtcNow();
        var started = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        context.Properties.Items[StartedItem] = started;
        if (AuthenticationAge.RememberAsked(context.Properties, context.ProtocolMessage.Prompt, context.ProtocolMessage.MaxAge, now))
        {
            context.Properties.Items[ReauthenticationRequirement.AskedItem] = started;
        }
    }

    public override async Task PushAuthorization(PushedAuthorizationContext context)
    {
        // The app's own delegate goes first and may push (or skip the push) itself.
        await base.PushAuthorization(context);
        if (context.HandledPush || context.SkippedPush || context.HandledClientAuthentication)
        {
            return;
        }

        // Pushed with the same client authentication as every other call to the provider.
        var configuration = await metadata.GetAsync(context.HttpContext.RequestAborted);
        var form = context.ProtocolMessage.Parameters
            .Where(p => p.Key != OpenIdConnectParameterNames.ClientSecret && !string.IsNullOrEmpty(p.Value))
            .ToList();
        var response = await tokenEndpoint.PostAsync(configuration.PushedAuthorizationRequestEndpoint, form, context.HttpContext.RequestAborted);
        var requestUri = response.IsSuccess ? TokenResponse.String(System.Text.Json.JsonDocument.Parse(response.Json!).RootElement, "request_uri") : null;
        if (!string.IsNullOrEmpty(requestUri))
        {
            context.HandlePush(requestUri);
            return;
        }

        // The provider refused what was asked (a parameter, the redirect URI): 400. Its own or the client
        // registration's trouble, or no answer at all: 503.
        if (!response.IsSuccess && (!response.IsTransient || response.ProviderError is { } error && !ProviderSideErrors.Contains(error)))
        {
            throw new OidcProtocolException($"The identity provider refused the sign-in request (error: {response.ProviderError ?? response.Error}).");
        }

        throw new ProviderUnavailableException(response.IsNotJson
            ? "The identity provider answered the sign-in request with something that is not JSON. Please try again in a moment."
            : "The identity provider did not accept the sign-in request right now. Please try again in a moment.");
    }

    public override async Task MessageReceived(MessageReceivedContext context)
    {
        // RFC 9207: the authorization response names its issuer, so a response from another provider
        // (a mix-up attack) is refused before its code is used anywhere.
        var configuration = await metadata.GetAsync(context.HttpContext.RequestAborted);
        var iss = context.ProtocolMessage.Iss;
        if ((configuration.AuthorizationResponseIssParameterSupported || iss is not null) &&
            !string.Equals(iss, configuration.Issuer, StringComparison.Ordinal))
        {
            context.Fail(new OidcProtocolException("The sign-in response came from an unexpected issuer."));
            return;
        }

        await base.MessageReceived(context);
    }

    public override async Task AuthorizationCodeReceived(AuthorizationCodeReceivedContext context)
    {
        // Before the code is used. A state without the item comes from an older version, which recorded its demands
        // differently (a prompt=login asked there would not be checked against auth_time here).
        if (!context.Properties!.Items.TryGetValue(StartedItem, out var started) ||
            !long.TryParse(started, NumberStyles.None, CultureInfo.InvariantCulture, out var startedAt) ||
            time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Min(startedAt, MaxUnixSeconds)) > context.Options.RemoteAuthenticationTimeout)
        {
            context.Fail(new OidcProtocolException(SignInFailurePage.AttemptExpired));
            return;
        }

        var configuration = await metadata.GetAsync(context.HttpContext.RequestAborted);
        var form = context.TokenEndpointRequest!.Parameters
            .Where(p => p.Key is not (OpenIdConnectParameterNames.ClientId or OpenIdConnectParameterNames.ClientSecret) && !string.IsNullOrEmpty(p.Value))
            .ToList();
        var response = await tokenEndpoint.PostAsync(configuration.TokenEndpoint, form, context.HttpContext.RequestAborted);
        if (response.IsTransient)
        {
            context.Fail(new ProviderUnavailableException(response.IsNotJson
                ? "The identity provider answered the sign-in with something that is not JSON. Please try again in a moment."
                : "The identity provider cannot be reached right now. Please try again in a moment.")
            {
                Data = { ["detail"] = response.ErrorDescription },
            });
            return;
        }

        if (!response.IsSuccess)
        {
            context.Fail(new OidcProtocolException(
                "The sign-in code was rejected by the identity provider (it may have been used already). Please sign in again."));
            return;
        }

        if (string.IsNullOrEmpty(response.IdToken))
        {
            context.Fail(new OidcProtocolException("The identity provider returned no id_token."));
            return;
        }

        context.HttpContext.Items[TokenResponseKey] = response;
        context.HandleCodeRedemption(new OpenIdConnectMessage(response.Json!));
        await base.AuthorizationCodeReceived(context);
    }

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        // The id_token must answer this sign-in request, and this browser must hold the request's nonce cookie.
        context.Properties!.Items.Remove(NonceKey, out var expected);
        var idToken = new JsonWebToken(context.TokenEndpointResponse!.IdToken);
        try
        {
            IdTokenValidator.CheckNonce(idToken, expected ?? "");
            if (expected is null || !string.Equals(context.Nonce, expected, StringComparison.Ordinal))
            {
                throw new OidcProtocolException("The id_token's nonce does not match the sign-in request.");
            }
        }
        catch (OidcProtocolException ex)
        {
            context.Fail(ex);
            return;
        }

        // Asked for a recent authentication (prompt=login, max_age), the provider answered with an earlier one, or did
        // not say when.
        switch (AuthenticationAge.Judge(idToken, context.Properties, time.GetUtcNow(), providerTokens.ClockSkew, options.Value.RequireAuthTime))
        {
            case AuthenticationAgeVerdict.Earlier:
                context.Fail(new OidcProtocolException(
                    "The identity provider signed you in with an earlier sign-in instead of asking for your password again, as this site asked. " +
                    "Sign out at the identity provider, then sign in here again."));
                return;
            case AuthenticationAgeVerdict.Unstated:
                context.Fail(new OidcProtocolException(
                    "The identity provider did not say when you last entered your password (auth_time), which this site asked for. " +
                    "Sign out at the identity provider, then sign in here again."));
                return;
        }

        // Single sign-on back into a provider session whose session here was ended from elsewhere, by a browser that
        // dropped the old cookie: no session; the provider is asked to authenticate the user again.
        if (await reauthentication.MustAskAgainAsync(context.HttpContext, context.Principal!, context.Properties, context.HttpContext.RequestAborted))
        {
            // Asked once already (an app's own delegate replaced the prompt, or the provider ignored it): a page, not a loop.
            if (context.Properties.Items.ContainsKey(AskedAgainItem))
            {
                context.Fail(new OidcProtocolException(
                    "The identity provider signed you in without asking for your password, which this site needs after your session was ended elsewhere."));
                return;
            }

            // The same sign-in (its return URL, the session it replaces, its acr_values, max_age, login_hint), with prompt=login.
            var again = new AuthenticationProperties { RedirectUri = context.Properties.RedirectUri, Items = { [AskedAgainItem] = "1" } };
            if (context.Properties.Items.TryGetValue(SessionCookieHandler.ReplacesItem, out var replaces))
            {
                again.Items[SessionCookieHandler.ReplacesItem] = replaces;
            }

            foreach (var name in PassThroughParameters)
            {
                if (context.Properties.Items.TryGetValue(AuthorizeItemPrefix + name, out var value) && !string.IsNullOrEmpty(value))
                {
                    again.SetParameter(name, value);
                }
            }

            ReauthenticationRequirement.Demand(again);
            context.HandleResponse();
            await context.HttpContext.ChallengeAsync(context.Scheme.Name, again);
            return;
        }

        // The sign-in's own bookkeeping: the session need not carry it.
        foreach (var key in context.Properties.Items.Keys
                     .Where(k => k.StartsWith(AuthorizeItemPrefix, StringComparison.Ordinal) || k is AskedAgainItem or StartedItem or ReauthenticationRequirement.AskedItem or AuthenticationAge.EarliestItem)
                     .ToList())
        {
            context.Properties.Items.Remove(key);
        }

        // The session's tokens, written the same way a refresh writes them (expires_at and issued_at included:
        // together they give the token's lifetime, which bounds how early it is refreshed).
        if (context.HttpContext.Items[TokenResponseKey] is TokenResponse response)
        {
            SessionTokens.Apply(context.Properties, response, time.GetUtcNow());
        }

        // Needed for the code exchange only, done by now: the session need not carry it.
        context.Properties.Items.Remove(OpenIdConnectDefaults.RedirectUriForCodePropertiesKey);

        // Signed in: the sign-ins this browser started and left unfinished are void.
        PendingSignInCookies.DeleteAll(context.HttpContext, context.Options);

        await base.TokenValidated(context);
    }

    public override Task RemoteFailure(RemoteFailureContext context) => SignInFailurePage.HandleAsync(context);

    public override async Task RedirectToIdentityProviderForSignOut(RedirectContext context)
    {
        context.ProtocolMessage.ClientId = context.Options.ClientId;
        context.ProtocolMessage.IdTokenHint = context.Properties.GetParameter<string>(IdTokenHintParameter);
        // The app's own delegate may point elsewhere (Amazon Cognito's /logout, which discovery does not name).
        await base.RedirectToIdentityProviderForSignOut(context);
        if (context.Handled)
        {
            return;
        }

        // The local session is already gone. A provider without end_session_endpoint leaves its own session
        // as it is, where the handler would throw: back to the app.
        if (string.IsNullOrEmpty(context.ProtocolMessage.IssuerAddress))
        {
            context.Response.Redirect(context.Request.PathBase + (context.Properties.RedirectUri ?? "/"));
            context.HandleResponse();
        }
    }

    public override async Task SignedOutCallbackRedirect(RemoteSignOutContext context)
    {
        // An unreadable state (expired, forged) still ends at the app's home page: the user is signed out either way.
        var returnUrl = context.Properties?.RedirectUri is { } url && ReturnUrlValidator.IsLocal(url) ? url : "/";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Redirect(context.Request.PathBase + returnUrl);
        context.HandleResponse();
        await base.SignedOutCallbackRedirect(context);
    }
}
