namespace Bff.Configuration;

/// <summary>The authentication schemes the BFF registers.</summary>
public static class BffAuthenticationSchemes
{
    /// <summary>The session cookie.</summary>
    public const string Cookie = "bff.cookie";

    /// <summary>OpenID Connect sign-in at the provider.</summary>
    public const string Oidc = "bff.oidc";
}
