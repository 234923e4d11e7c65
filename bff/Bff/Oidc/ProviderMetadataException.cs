namespace Bff.Oidc;

/// <summary>The provider's discovery document cannot be used (it names another issuer, or lacks an endpoint).</summary>
internal sealed class ProviderMetadataException(string message, Exception? inner = null) : Exception(message, inner);
