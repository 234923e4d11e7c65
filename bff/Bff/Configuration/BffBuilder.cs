using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Bff.Configuration;

/// <summary>Returned by <c>AddBff</c>, to chain the optional parts (Redis, remote APIs) and provider settings.</summary>
public sealed class BffBuilder
{
    internal BffBuilder(IServiceCollection services) => Services = services;

    /// <summary>The app's services, for an optional part's extension method to add to.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Changes the options of ASP.NET Core's OpenID Connect handler that signs users in (scheme
    /// <see cref="BffDefaults.OidcScheme"/>), after the BFF has set them from <c>Bff:*</c>. Add to the
    /// event delegates (<c>o.Events.OnRedirectToIdentityProvider = …</c>) rather than replacing <c>o.Events</c>:
    /// the BFF's own checks run in the events object and call those delegates after them.
    /// </summary>
    public BffBuilder ConfigureOpenIdConnect(Action<OpenIdConnectOptions> configure)
    {
        Services.Configure(BffDefaults.OidcScheme, configure);
        return this;
    }
}
