namespace Bff.Oidc;

/// <summary>
/// A sign-in or sign-out step broke the protocol (bad token, mix-up, missing value). Its message is safe
/// to show a person: it never carries a token.
/// </summary>
internal class OidcProtocolException(string message) : Exception(message);
