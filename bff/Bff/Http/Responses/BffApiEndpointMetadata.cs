namespace Bff.Http.Responses;

/// <summary>
/// Marks an endpoint the SPA calls with <c>fetch</c>: it requires the <c>X-CSRF: 1</c> header and answers
/// 401 problem+json, never a redirect to the provider, and is never cached. The BFF's own API endpoints and
/// remote API routes carry it; mark an app's own API endpoints the same way:
/// <c>app.MapGet("/api/orders", …).WithMetadata(new BffApiEndpointMetadata())</c>.
/// </summary>
public sealed class BffApiEndpointMetadata
{
    internal static readonly BffApiEndpointMetadata Instance = new();
}
