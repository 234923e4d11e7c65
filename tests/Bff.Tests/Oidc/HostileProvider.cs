using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Bff.Tests.Oidc;

/// <summary>
/// An OpenID Provider on real Kestrel that answers whatever the test scripts — the provider an attacker
/// controls or a broken one: discovery, JWKS, pushed authorization and token endpoints. It never shows a login
/// page; the test takes the authorize request from the BFF's redirect, asks for a code bound to it
/// (<see cref="IssueCode"/>) and brings the browser back to the BFF's callback itself. The token endpoint
/// checks PKCE like an honest provider, so code injection is visible.
/// </summary>
internal sealed class HostileProvider : IAsyncDisposable
{
    public const string ClientId = "bff";
    public const string ClientSecret = "hostile-secret";

    private static readonly TestSigningKey SharedRsa = TestSigningKey.Rsa("rsa-1");
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _codes = new();
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _pushed = new();
    private int _tokenCalls;

    private HostileProvider(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Its origin, known once Kestrel has chosen the port.</summary>
    public string Issuer { get; private set; } = "";

    public TestSigningKey Rsa => SharedRsa;

    /// <summary>The keys the JWKS lists right now; change it to rotate.</summary>
    public List<TestSigningKey> PublishedKeys { get; set; } = [SharedRsa];

    public string DocumentIssuer { get; set; } = "";

    public bool AdvertisesIssParameter { get; set; } = true;

    public bool AdvertisesPar { get; set; }

    public bool HasEndSessionEndpoint { get; set; } = true;

    /// <summary>Changes the claims of the id_token the token endpoint returns.</summary>
    public Action<Dictionary<string, object?>>? ChangeClaims { get; set; }

    /// <summary>Signs the id_token; by default with <see cref="Rsa"/>.</summary>
    public Func<Dictionary<string, object?>, string>? SignIdToken { get; set; }

    /// <summary>When set, the token endpoint answers this instead (status, content type, body).</summary>
    public (int Status, string ContentType, string Body)? TokenAnswer { get; set; }

    /// <summary>When set, the pushed authorization endpoint answers this instead (status, content type, body).</summary>
    public (int Status, string ContentType, string Body)? PushAnswer { get; set; }

    /// <summary>The form of the last pushed authorization request.</summary>
    public Dictionary<string, string>? LastPushed { get; private set; }

    public int TokenCalls => Volatile.Read(ref _tokenCalls);

    public static async Task<HostileProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var provider = new HostileProvider(app);
        app.MapGet("/.well-known/openid-configuration", provider.Discovery);
        app.MapGet("/jwks", provider.Jwks);
        app.MapPost("/par", provider.PushAsync);
        app.MapPost("/token", provider.TokenAsync);
        await app.StartAsync();
        provider.Issuer = app.Urls.Single();
        provider.DocumentIssuer = provider.Issuer;
        return provider;
    }

    /// <summary>The claims of a valid id_token for mallory's victim, alice, issued now, for this client.</summary>
    public Dictionary<string, object?> IdTokenClaims(string? nonce)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["sub"] = "alice",
            ["aud"] = ClientId,
            ["exp"] = now + 300,
            ["iat"] = now,
            ["nonce"] = nonce,
            ["name"] = "Alice",
            ["sid"] = "hostile-session",
        };
    }

    /// <summary>The parameters of the authorize request the BFF redirected to (looked up when it was pushed).</summary>
    public Dictionary<string, string> AuthorizeParameters(Uri location)
    {
        var query = QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
        return query.TryGetValue("request_uri", out var requestUri) ? _pushed[requestUri] : query;
    }

    /// <summary>A one-time code bound to that authorize request (its nonce and PKCE challenge).</summary>
    public string IssueCode(Dictionary<string, string> authorize)
    {
        var code = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        _codes[code] = authorize;
        return code;
    }

    /// <summary>When set, what the discovery address answers instead of the document (an authority pointing at a web page).</summary>
    public (int Status, string ContentType, string Body)? DiscoveryAnswer { get; set; }

    private IResult Discovery()
    {
        if (DiscoveryAnswer is { } answer)
        {
            return Results.Text(answer.Body, answer.ContentType, statusCode: answer.Status);
        }

        var document = new Dictionary<string, object?>
        {
            ["issuer"] = DocumentIssuer,
            ["authorization_endpoint"] = Issuer + "/auth",
            ["token_endpoint"] = Issuer + "/token",
            ["jwks_uri"] = Issuer + "/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["authorization_response_iss_parameter_supported"] = AdvertisesIssParameter,
        };
        if (AdvertisesPar)
        {
            document["pushed_authorization_request_endpoint"] = Issuer + "/par";
        }

        if (HasEndSessionEndpoint)
        {
            document["end_session_endpoint"] = Issuer + "/session/end";
        }

        return Results.Json(document);
    }

    private IResult Jwks() => Results.Json(new { keys = PublishedKeys.Select(k => Jwk(k.PublicKey)).ToArray() });

    private static Dictionary<string, string> Jwk(SecurityKey key)
    {
        var jwk = JsonWebKeyConverter.ConvertFromSecurityKey(key);
        return jwk.Kty == "RSA"
            ? new() { ["kty"] = "RSA", ["kid"] = jwk.Kid, ["use"] = "sig", ["n"] = jwk.N, ["e"] = jwk.E }
            : new() { ["kty"] = "EC", ["kid"] = jwk.Kid, ["use"] = "sig", ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y };
    }

    private async Task<IResult> PushAsync(HttpRequest request)
    {
        if (PushAnswer is { } answer)
        {
            return Results.Text(answer.Body, answer.ContentType, statusCode: answer.Status);
        }

        if (!Authenticated(request))
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        var form = (await request.ReadFormAsync()).ToDictionary(p => p.Key, p => p.Value.ToString());
        LastPushed = form;
        var requestUri = "urn:ietf:params:oauth:request_uri:" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        _pushed[requestUri] = form;
        return Results.Json(new { request_uri = requestUri, expires_in = 60 }, statusCode: 201);
    }

    private async Task TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenCalls);
        if (TokenAnswer is { } answer)
        {
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = answer.ContentType;
            await context.Response.WriteAsync(answer.Body);
            return;
        }

        var form = await context.Request.ReadFormAsync();
        if (!Authenticated(context.Request))
        {
            await Results.Json(new { error = "invalid_client" }, statusCode: 401).ExecuteAsync(context);
            return;
        }

        // One use per code, and only with the verifier of the request the code was issued for (PKCE, RFC 7636).
        if (!_codes.TryRemove(form["code"].ToString(), out var authorize) ||
            authorize["code_challenge"] != WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) ||
            authorize["redirect_uri"] != form["redirect_uri"].ToString())
        {
            await Results.Json(new { error = "invalid_grant" }, statusCode: 400).ExecuteAsync(context);
            return;
        }

        var claims = IdTokenClaims(authorize.GetValueOrDefault("nonce"));
        ChangeClaims?.Invoke(claims);
        var idToken = (SignIdToken ?? (c => Rsa.Sign(c)))(claims);
        await Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = "at-" + Guid.NewGuid().ToString("N"),
            ["refresh_token"] = "rt-" + Guid.NewGuid().ToString("N"),
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["id_token"] = idToken,
        }).ExecuteAsync(context);
    }

    private static bool Authenticated(HttpRequest request) =>
        request.Headers.Authorization.ToString() ==
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientId + ":" + ClientSecret));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
