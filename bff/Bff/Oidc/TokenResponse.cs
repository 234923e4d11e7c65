using System.Text.Json;

namespace Bff.Oidc;

/// <summary>What the provider's token (or revocation) endpoint answered.</summary>
internal sealed class TokenResponse
{
    private TokenResponse() { }

    /// <summary>The raw JSON body of a successful answer; null on failure.</summary>
    public string? Json { get; private init; }

    public string? AccessToken { get; private init; }

    public string? RefreshToken { get; private init; }

    public string? IdToken { get; private init; }

    public string? TokenType { get; private init; }

    public int? ExpiresIn { get; private init; }

    /// <summary>The OAuth error code (<c>invalid_grant</c>, …), or <c>transient</c> when the provider could not be reached or failed.</summary>
    public string? Error { get; private init; }

    public string? ErrorDescription { get; private init; }

    public bool IsSuccess => Error is null;

    /// <summary>The provider was unreachable, timed out or answered 5xx: worth trying again later.</summary>
    public bool IsTransient => Error == TransientError;

    public const string TransientError = "transient";

    public static TokenResponse Success(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new TokenResponse
        {
            Json = json,
            AccessToken = String(root, "access_token"),
            RefreshToken = String(root, "refresh_token"),
            IdToken = String(root, "id_token"),
            TokenType = String(root, "token_type"),
            ExpiresIn = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var seconds)
                ? seconds
                : null,
        };
    }

    public static TokenResponse Failure(string error, string? description) =>
        new() { Error = error, ErrorDescription = description };

    public static TokenResponse Transient(string description) =>
        new() { Error = TransientError, ErrorDescription = description };

    internal static string? String(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
