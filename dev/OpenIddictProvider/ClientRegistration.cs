using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenIddictProvider;

/// <summary>Registers the BFF as a confidential client at start: code flow with PKCE, refresh tokens, end session, revocation.</summary>
internal sealed class ClientRegistration(IServiceProvider services, IOptions<ProviderSettings> settings) : IHostedService
{
    public const string ApiScope = "api";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = settings.Value;
        await using var scope = services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var scopes = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();

        if (await scopes.FindByNameAsync(ApiScope, cancellationToken) is null)
        {
            await scopes.CreateAsync(new OpenIddictScopeDescriptor { Name = ApiScope, Resources = { ApiScope } }, cancellationToken);
        }

        if (await applications.FindByClientIdAsync(options.ClientId, cancellationToken) is not null)
        {
            return;
        }

        var client = new OpenIddictApplicationDescriptor
        {
            ClientId = options.ClientId,
            ClientSecret = options.ClientSecret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "Backend for frontend",
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.EndSession,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile,
                Permissions.Scopes.Email,
                Permissions.Prefixes.Scope + ApiScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var origin in options.Origins)
        {
            client.RedirectUris.Add(new Uri(origin.TrimEnd('/') + "/signin-oidc"));
            client.PostLogoutRedirectUris.Add(new Uri(origin.TrimEnd('/') + "/signout-callback-oidc"));
        }

        await applications.CreateAsync(client, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
