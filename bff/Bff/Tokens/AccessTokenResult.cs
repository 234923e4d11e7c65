namespace Bff.Tokens;

/// <summary>What asking for an access token gave: the token, or why there is none.</summary>
internal readonly record struct AccessTokenResult(AccessTokenOutcome Outcome, string? Token = null)
{
    public static AccessTokenResult Success(string token) => new(AccessTokenOutcome.Success, token);

    public static readonly AccessTokenResult SessionEnded = new(AccessTokenOutcome.SessionEnded);

    public static readonly AccessTokenResult ProviderUnavailable = new(AccessTokenOutcome.ProviderUnavailable);
}

internal enum AccessTokenOutcome
{
    Success,

    /// <summary>The refresh token was refused (expired, revoked, reused): the session has been ended.</summary>
    SessionEnded,

    /// <summary>The provider could not be reached or failed: try again later; the session is kept.</summary>
    ProviderUnavailable,
}
