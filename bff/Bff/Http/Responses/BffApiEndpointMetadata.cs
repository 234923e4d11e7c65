namespace Bff.Http.Responses;

/// <summary>
/// Marks an endpoint the SPA calls with <c>fetch</c>: it requires the <c>X-CSRF: 1</c> header and answers
/// 401 problem+json, never a redirect to the provider.
/// </summary>
public sealed class BffApiEndpointMetadata
{
    internal static readonly BffApiEndpointMetadata Instance = new();
}
