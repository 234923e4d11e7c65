using Bff.Configuration;
using Bff.Distributed;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols;

namespace Bff.Oidc;

/// <summary>Registers sign-in with the provider: its metadata, token endpoint client, validators and the OpenID Connect handler.</summary>
internal static class OidcServices
{
    /// <summary>The named HTTP client of every call to the provider.</summary>
    internal const string ProviderHttpClient = "Bff.Provider";

    /// <summary>The largest answer read from the provider; a larger one fails like an unreachable provider.</summary>
    internal const int MaxProviderResponseBytes = 1024 * 1024;

    public static IServiceCollection AddBffOidc(this IServiceCollection services)
    {
        services.AddHttpClient(ProviderHttpClient, client =>
            {
                client.Timeout = TimeSpan.FromSeconds(10);
                // Discovery documents, JWKS and token answers are a few KB: a bigger one is a fault, not worth buffering.
                client.MaxResponseContentBufferSize = MaxProviderResponseBytes;
            })
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
                sp.GetRequiredService<TimeProvider>());
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
            return new TokenEndpointClient(ProviderHttp(sp), options.ClientId, options.ClientSecret);
        });

        services.AddAuthentication()
            .AddOpenIdConnect(BffDefaults.OidcScheme, displayName: "OpenID Connect", _ => { });
        services.AddOptions<OpenIdConnectOptions>(BffDefaults.OidcScheme)
            .Configure<IOptions<BffOptions>, IServiceProvider>((oidc, bff, sp) => OpenIdConnectSetup.Configure(oidc, bff.Value, sp));
        return services;
    }

    internal static HttpClient ProviderHttp(IServiceProvider services) =>
        services.GetRequiredService<IHttpClientFactory>().CreateClient(ProviderHttpClient);
}
