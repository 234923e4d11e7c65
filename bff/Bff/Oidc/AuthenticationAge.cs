using Microsoft.IdentityModel.JsonWebTokens;

namespace Bff.Oidc;

/// <summary>What a sign-in's id_token says about when the user last authenticated, against what the sign-in asked.</summary>
internal enum AuthenticationAgeVerdict
{
    /// <summary>Nothing was asked, or <c>auth_time</c> answers it (or is missing and not required).</summary>
    Answered,

    /// <summary>The user authenticated before what the sign-in accepts, or <c>auth_time</c> is no time.</summary>
    Earlier,

    /// <summary>The id_token has no <c>auth_time</c>, and <c>Bff:RequireAuthTime</c> requires it.</summary>
    Unstated,
}

/// <summary>
/// Asked is checked against done (OpenID Connect Core §3.1.2.1 and §3.1.3.7, item 13). A sign-in that asks the provider
/// for a recent authentication — <c>max_age=N</c>, or <c>prompt=login</c>, which is <c>max_age=0</c> — remembers in its
/// protected state the earliest authentication it accepts, and the id_token's <c>auth_time</c> must not be older. A
/// provider that ignores the request, or brokers to one that signs in silently, would otherwise meet it. This covers the
/// BFF's own re-authentication demands, <c>/bff/login?prompt=login&amp;max_age=N</c> and an app's own delegate alike.
/// </summary>
internal static class AuthenticationAge
{
    /// <summary>
    /// The sign-in state's item: the earliest authentication the sign-in accepts, in Unix seconds on the BFF's clock
    /// (when it was asked, less its <c>max_age</c>).
    /// </summary>
    internal const string EarliestItem = "bff.authenticated_since";

    private const string AuthTimeClaim = "auth_time";

    // 9999-12-31T23:59:59Z: beyond it a number is no time.
    private const double LatestNumericDate = 253_402_300_799;

    /// <summary>
    /// Remembers in the sign-in's <paramref name="properties"/> what the authorization request as sent asks for, if
    /// anything: its <paramref name="prompt"/> and <paramref name="maxAge"/> (one that is no whole number of seconds is
    /// the provider's to refuse), asked <paramref name="now"/>.
    /// </summary>
    /// <returns>Whether the request asks the provider to authenticate the user again (<c>prompt=login</c>).</returns>
    public static bool RememberAsked(AuthenticationProperties properties, string? prompt, string? maxAge, DateTimeOffset now)
    {
        var again = AsksToSignInAgain(prompt);
        long? seconds = again ? 0 : long.TryParse(maxAge, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        if (seconds is { } age)
        {
            properties.Items[EarliestItem] = (now.ToUnixTimeSeconds() - age).ToString(CultureInfo.InvariantCulture);
        }

        return again;
    }

    /// <summary>Whether an authorization request's <c>prompt</c> asks the provider to authenticate the user again.</summary>
    private static bool AsksToSignInAgain(string? prompt) =>
        prompt is not null && prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("login", StringComparer.Ordinal);

    /// <summary>
    /// Judges the id_token's <c>auth_time</c> against what the sign-in asked. The earliest accepted moment is taken to
    /// the provider's own clock: the token's <c>iat</c> less the time the sign-in took since it was asked, as the BFF
    /// measures it, so a skew between the two clocks does not count; <paramref name="slack"/> allows for the time
    /// between the token's issue and this check, and for instances' clocks. An <c>auth_time</c> that is not a
    /// NumericDate counts as earlier. A missing one is taken at the provider's word unless
    /// <paramref name="requireAuthTime"/>: the specification requires it after <c>max_age</c>, but some providers send
    /// it only when configured to.
    /// </summary>
    public static AuthenticationAgeVerdict Judge(
        JsonWebToken idToken, AuthenticationProperties properties, DateTimeOffset now, TimeSpan slack, bool requireAuthTime)
    {
        if (!properties.Items.TryGetValue(EarliestItem, out var asked) ||
            !long.TryParse(asked, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var earliest))
        {
            return AuthenticationAgeVerdict.Answered;
        }

        if (!idToken.TryGetClaim(AuthTimeClaim, out var claim))
        {
            return requireAuthTime ? AuthenticationAgeVerdict.Unstated : AuthenticationAgeVerdict.Answered;
        }

        if (!IsNumber(claim) ||
            !double.TryParse(claim.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var authTime) ||
            !double.IsFinite(authTime) || authTime is < 0 or > LatestNumericDate)
        {
            return AuthenticationAgeVerdict.Earlier;
        }

        var issuedAt = new DateTimeOffset(idToken.IssuedAt, TimeSpan.Zero).ToUnixTimeSeconds();
        var earliestOnProviderClock = (double)earliest + (issuedAt - now.ToUnixTimeSeconds());
        return authTime < earliestOnProviderClock - slack.TotalSeconds ? AuthenticationAgeVerdict.Earlier : AuthenticationAgeVerdict.Answered;
    }

    private static bool IsNumber(Claim claim) => claim.ValueType is
        ClaimValueTypes.Integer or ClaimValueTypes.Integer32 or ClaimValueTypes.Integer64 or
        ClaimValueTypes.UInteger32 or ClaimValueTypes.UInteger64 or ClaimValueTypes.Double;
}
