using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Http;

namespace Bff.Oidc;

/// <summary>
/// Options of the OpenID Connect handler. Endpoints come from the provider's discovery document, so the
/// OAuth endpoint settings of the base class stay empty.
/// </summary>
internal sealed class OidcOptions : OAuthOptions
{
    /// <summary>Where the provider sends the browser back after RP-initiated logout.</summary>
    public PathString SignedOutCallbackPath { get; set; }

    public override void Validate()
    {
        // The base class insists on static authorization and token endpoints; ours are discovered.
        if (string.IsNullOrEmpty(ClientId))
        {
            throw new ArgumentException("The client id must be set.", nameof(ClientId));
        }

        if (!CallbackPath.HasValue || !SignedOutCallbackPath.HasValue)
        {
            throw new ArgumentException("The callback paths must be set.", nameof(CallbackPath));
        }
    }
}
