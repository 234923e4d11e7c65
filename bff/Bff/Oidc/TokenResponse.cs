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

    /// <summary>
    /// <c>expires_in</c> in seconds as sent: a JSON number, or a numeric string or whole float as some providers send
    /// it; null when absent or unreadable. Zero or negative is possible here; <see cref="SessionTokens.ExpiryOf"/>
    /// decides what a value means.
    /// </summary>
    public int? ExpiresIn { get; private init; }

    /// <summary>Whether the answer named <c>expires_in</c> at all, readable or not.</summary>
    public bool HasExpiresIn { get; private init; }

    /// <summary>The OAuth error code that refused the grant (<c>invalid_grant</c>, …), or <c>transient</c> when trying again later may work.</summary>
    public string? Error { get; private init; }

    public string? ErrorDescription { get; private init; }

    /// <summary>For a transient failure, the OAuth error the provider named (<c>invalid_client</c>, …), if any.</summary>
    public string? ProviderError { get; private init; }

    /// <summary>The provider answered something that is not a JSON token response (an HTML error page, say).</summary>
    public bool IsNotJson { get; private init; }

    public bool IsSuccess => Error is null;

    /// <summary>The provider was unreachable, timed out or answered 5xx: worth trying again later.</summary>
    public bool IsTransient => Error == TransientError;

    public const string TransientError = "transient";

    /// <summary>A success when <paramref name="json"/> is a JSON object, otherwise null.</summary>
    public static TokenResponse? TrySuccess(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return root.ValueKind != JsonValueKind.Object ? null : new TokenResponse
            {
                Json = json,
                AccessToken = String(root, "access_token"),
                RefreshToken = String(root, "refresh_token"),
                IdToken = String(root, "id_token"),
                TokenType = String(root, "token_type"),
                ExpiresIn = root.TryGetProperty("expires_in", out var e) ? Seconds(e) : null,
                HasExpiresIn = root.TryGetProperty("expires_in", out var named) && named.ValueKind != JsonValueKind.Null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // 3599, "3599" and 3599.0 all occur in the wild; 3599.5 or "soon" are not a number of seconds.
    private static int? Seconds(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt32(out var whole) ? whole
                : value.TryGetDouble(out var real) && real == Math.Floor(real) && real is >= int.MinValue and <= int.MaxValue ? (int)real
                : null;
        }

        return value.ValueKind == JsonValueKind.String &&
            int.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : null;
    }

    public static TokenResponse Failure(string error, string? description) =>
        new() { Error = error, ErrorDescription = description };

    public static TokenResponse Transient(string description, string? providerError = null) =>
        new() { Error = TransientError, ErrorDescription = description, ProviderError = providerError };

    public static TokenResponse NotJson(string description) =>
        new() { Error = TransientError, ErrorDescription = description, IsNotJson = true };

    internal static string? String(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
