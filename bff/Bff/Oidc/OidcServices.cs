using Bff.Configuration;
using Bff.Distributed;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols;

namespace Bff.Oidc;

/// <summary>Registers sign-in with the provider: its metadata, token endpoint client, validators and the OpenID Connect handler.</summary>
internal static class OidcServices
{
    /// <summary>The named HTTP client of the provider's documents: discovery, signing keys (and the sign-in handler's own calls).</summary>
    internal const string ProviderHttpClient = "Bff.Provider";

    /// <summary>The named HTTP client of the forms the BFF posts with its credentials: token, pushed authorization, revocation.</summary>
    internal const string TokenEndpointHttpClient = "Bff.Provider.TokenEndpoint";

    /// <summary>The largest answer read from the provider; a larger one fails like an unreachable provider.</summary>
    internal const int MaxProviderResponseBytes = 1024 * 1024;

    public static IServiceCollection AddBffOidc(this IServiceCollection services)
    {
        // A document may move (http to https, a trailing slash): its redirects are followed.
        services.AddHttpClient(ProviderHttpClient, ConfigureProviderClient);
        services.AddHttpClient(TokenEndpointHttpClient, ConfigureProviderClient)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A followed 307/308 would re-send the form (refresh token and client secret included) to another host,
                // and take that host's answer as the provider's; 301/302 would turn the POST into a GET.
                AllowAutoRedirect = false,
                // New connections now and then, so a change of the provider's DNS is followed.
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BffOptions>>().Value;
            return new ProviderMetadata(
                options.Authority,
                new HttpDocumentRetriever(ProviderHttp(sp)) { RequireHttps = options.RequireHttpsMetadata },
                sp.GetRequiredService<TimeProvider>())
            {
                RequireHttpsEndpoints = options.RequireHttpsMetadata,
            };
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BffOptions>>().Value;
            return new ProviderTokenValidator(
                sp.GetRequiredService<ProviderMetadata>(), options.ClientId, options.ClockSkew, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<IdTokenValidator>();
        services.TryAddSingleton<IdTokenHandler>();
        services.TryAddSingleton<BffOpenIdConnectEvents>();
        services.TryAddSingleton(sp => new LogoutTokenValidator(
            sp.GetRequiredService<ProviderTokenValidator>(),
            sp.GetRequiredService<IReplayCache>(),
            sp.GetRequiredService<IOptions<BffOptions>>().Value.BackChannel.RequireLogoutJwtType));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BffOptions>>().Value;
            return new TokenEndpointClient(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(TokenEndpointHttpClient), options.ClientId, options.ClientSecret);
        });

        services.AddAuthentication()
            .AddOpenIdConnect(BffDefaults.OidcScheme, displayName: "OpenID Connect", _ => { });
        services.AddOptions<OpenIdConnectOptions>(BffDefaults.OidcScheme)
            .Configure<IOptions<BffOptions>, IServiceProvider>((oidc, bff, sp) => OpenIdConnectSetup.Configure(oidc, bff.Value, sp));
        return services;
    }

    private static void ConfigureProviderClient(HttpClient client)
    {
        client.Timeout = TimeSpan.FromSeconds(10);
        // Discovery documents, JWKS and token answers are a few KB: a bigger one is a fault, not worth buffering.
        client.MaxResponseContentBufferSize = MaxProviderResponseBytes;
    }

    internal static HttpClient ProviderHttp(IServiceProvider services) =>
        services.GetRequiredService<IHttpClientFactory>().CreateClient(ProviderHttpClient);
}
