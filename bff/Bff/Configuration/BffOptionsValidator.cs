namespace Bff.Configuration;

/// <summary>Checks <see cref="BffOptions"/> at start-up and says how to fix every problem at once.</summary>
internal sealed class BffOptionsValidator : IValidateOptions<BffOptions>
{
    public ValidateOptionsResult Validate(string? name, BffOptions options)
    {
        var problems = new OptionsProblems();

        var isUrl = Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) &&
            (authority.Scheme == Uri.UriSchemeHttps || authority.Scheme == Uri.UriSchemeHttp);
        problems.RefuseIf(!isUrl,
            "Bff:Authority must be the provider's absolute issuer URL, e.g. https://login.example.com.");
        problems.RefuseIf(isUrl && authority!.Scheme == Uri.UriSchemeHttp && options.RequireHttpsMetadata,
            $"Bff:Authority '{options.Authority}' is not HTTPS. Use HTTPS, or set Bff:RequireHttpsMetadata to false for a development provider.");
        problems.RefuseIf(string.IsNullOrWhiteSpace(options.ClientId),
            "Bff:ClientId is required: the client id registered at the provider.");
        problems.RefuseIf(string.IsNullOrWhiteSpace(options.ClientSecret),
            "Bff:ClientSecret is required: the BFF is a confidential client.");
        problems.RefuseIf(options.Scopes.Count > 0 && !options.Scopes.Contains("openid"),
            "Bff:Scopes must contain 'openid'.");
        foreach (var (key, path) in new[] { ("CallbackPath", options.CallbackPath), ("SignedOutCallbackPath", options.SignedOutCallbackPath) })
        {
            problems.RefuseIf(string.IsNullOrEmpty(path) || path[0] != '/',
                $"Bff:{key} must be a path that starts with '/'.");
        }

        problems.RefuseIf(string.IsNullOrWhiteSpace(options.CookieName) || options.CookieName.StartsWith("__", StringComparison.Ordinal) ||
            !options.CookieName.All(IsCookieNameCharacter),
            "Bff:CookieName must be a plain name (letters, digits and !#$%&'*+-.^_`|~, no spaces); the __Host- prefix is added automatically over HTTPS.");
        problems.RefuseIf(options.ClockSkew < TimeSpan.Zero,
            "Bff:ClockSkew must not be negative, e.g. 00:02:00.");
        problems.RefuseIf(options.Session.IdleTimeout <= TimeSpan.Zero,
            "Bff:Session:IdleTimeout must be positive, e.g. 00:15:00.");
        problems.RefuseIf(options.Session.AbsoluteLifetime <= TimeSpan.Zero,
            "Bff:Session:AbsoluteLifetime must be positive, e.g. 08:00:00.");
        problems.RefuseIf(options.Session.AuditEventsPerUser is < 1 or > 10_000,
            "Bff:Session:AuditEventsPerUser must be between 1 and 10000, e.g. 50.");
        problems.RefuseIf(options.Session.MaxPerUser is < 1 or > 10_000,
            "Bff:Session:MaxPerUser must be between 1 and 10000, e.g. 100.");
        problems.RefuseIf(options.Session.TicketCacheSize is < 0 or > 1_000_000,
            "Bff:Session:TicketCacheSize must be between 0 (off) and 1000000, e.g. 10000.");
        problems.RefuseIf(options.Session.StreamCheckInterval < TimeSpan.FromMilliseconds(100) || options.Session.StreamCheckInterval > TimeSpan.FromHours(1),
            "Bff:Session:StreamCheckInterval must be between 00:00:00.1 and 01:00:00, e.g. 00:00:30.");
        problems.RefuseIf(options.Session.AuditRetention <= TimeSpan.Zero,
            "Bff:Session:AuditRetention must be positive, e.g. 30.00:00:00.");
        problems.RefuseIf(options.Session.AuditLogMaxEvents < 1_000,
            "Bff:Session:AuditLogMaxEvents must be at least 1000, e.g. 1000000.");
        foreach (var proxy in options.TrustedProxies)
        {
            problems.RefuseIf(!TrustedProxyEntry.TryParse(proxy, out _),
                $"Bff:TrustedProxies entry '{proxy}' is neither an IP address (10.0.0.5) nor a CIDR range (10.0.0.0/8).");
        }

        foreach (var (key, rule) in new[]
                 {
                     ("Login", options.RateLimits.Login),
                     ("SignInCallback", options.RateLimits.SignInCallback),
                     ("BackChannel", options.RateLimits.BackChannel),
                     ("AnonymousApi", options.RateLimits.AnonymousApi),
                 })
        {
            problems.RefuseIf(rule is null || rule.PermitLimit < 1,
                $"Bff:RateLimits:{key}:PermitLimit must be at least 1, e.g. 10.");
            problems.RefuseIf(rule is null || rule.Window <= TimeSpan.Zero,
                $"Bff:RateLimits:{key}:Window must be positive, e.g. 00:01:00.");
        }

        problems.RefuseIf(options.Tokens.RefreshBeforeExpiry < TimeSpan.Zero,
            "Bff:Tokens:RefreshBeforeExpiry must not be negative.");

        return problems.Result;
    }

    // RFC 6265 §4.1.1: a cookie name is an RFC 7230 token; anything else makes every Set-Cookie throw.
    private static bool IsCookieNameCharacter(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
