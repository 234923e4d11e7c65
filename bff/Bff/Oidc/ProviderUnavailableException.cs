namespace Bff.Oidc;

/// <summary>
/// The provider could not answer a step of sign-in for now (unreachable, 5xx, 429, an answer that is not JSON,
/// a refusal of the BFF's own client credentials). Worth trying again later: the page says so with 503 and
/// <c>Retry-After</c>. Its message is safe to show a person.
/// </summary>
internal sealed class ProviderUnavailableException(string message) : Exception(message);
