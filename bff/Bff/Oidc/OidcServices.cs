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

    public static IServiceCollection AddBffOidc(this IServiceCollection services)
    {
        services.AddHttpClient(ProviderHttpClient, client => client.Timeout = TimeSpan.FromSeconds(10));
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
