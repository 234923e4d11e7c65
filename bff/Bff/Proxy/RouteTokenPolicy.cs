using Yarp.ReverseProxy.Configuration;

namespace Bff.Proxy;

/// <summary>
/// Reads a route's token metadata: <c>Bff.TokenType</c>, for client tokens the optional <c>Bff.Scope</c> and
/// <c>Bff.Resource</c> to ask the provider for, and <c>Bff.AllowAnonymous</c>: whether callers without a session
/// may use the BFF's own client token on this route (off unless set to <c>true</c>). Read once per route when
/// the proxy builds its endpoints (<c>MapRemoteApis</c>), carried as endpoint metadata.
/// </summary>
internal sealed record RouteTokenPolicy(TokenType Type, string? ClientScope, string? ClientResource, bool AllowsAnonymous)
{
    public const string TokenTypeKey = "Bff.TokenType";
    public const string ScopeKey = "Bff.Scope";
    public const string ResourceKey = "Bff.Resource";
    public const string AllowAnonymousKey = "Bff.AllowAnonymous";

    /// <summary>A route without a valid token type (refused by validation) forwards nothing.</summary>
    public static readonly RouteTokenPolicy None = new(TokenType.None, null, null, false);

    public static RouteTokenPolicy For(RouteConfig route) => TryGetTokenType(route, out var type, out _)
        ? new RouteTokenPolicy(
            type,
            route.Metadata!.GetValueOrDefault(ScopeKey),
            route.Metadata!.GetValueOrDefault(ResourceKey),
            route.Metadata!.GetValueOrDefault(AllowAnonymousKey) is { } value && bool.TryParse(value, out var allowed) && allowed)
        : None;

    public static bool TryGetTokenType(RouteConfig route, out TokenType type, out string? error)
    {
        type = TokenType.None;
        error = null;
        if (route.Metadata is null || !route.Metadata.TryGetValue(TokenTypeKey, out var value))
        {
            error = $"Route '{route.RouteId}' must set Metadata:{TokenTypeKey} to one of {string.Join(", ", Enum.GetNames<TokenType>())}.";
            return false;
        }

        // One name only: Enum.TryParse would also take numbers and comma lists ("User,None" reads as User).
        if (value is null || value.Contains(',') || int.TryParse(value, out _) ||
            !Enum.TryParse(value, ignoreCase: true, out type) || !Enum.IsDefined(type))
        {
            type = TokenType.None;
            error = $"Route '{route.RouteId}' has Metadata:{TokenTypeKey} '{value}'; use one of {string.Join(", ", Enum.GetNames<TokenType>())}.";
            return false;
        }

        return true;
    }
}
