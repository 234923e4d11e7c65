namespace Bff.Oidc;

/// <summary>
/// The token names a signing key the provider's keys, as last read, do not hold, and they could not be read again
/// (too soon after the last read, or the provider failed): the provider may have just rotated it in. Still an
/// <see cref="OidcProtocolException"/> to everyone who cannot tell a rotation from a forgery; a caller whose token
/// came straight from the provider (a refresh) may treat it as "try again later".
/// </summary>
internal sealed class SigningKeyUnavailableException(string message) : OidcProtocolException(message);
