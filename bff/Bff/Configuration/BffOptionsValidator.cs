namespace Bff.Configuration;

/// <summary>Checks <see cref="BffOptions"/> at start-up and says how to fix every problem at once.</summary>
internal sealed class BffOptionsValidator : IValidateOptions<BffOptions>
{
    public ValidateOptionsResult Validate(string? name, BffOptions options)
    {
        var errors = new List<string>();

        if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) ||
            (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add("Bff:Authority must be the provider's absolute issuer URL, e.g. https://login.example.com.");
        }
        else if (authority.Scheme == Uri.UriSchemeHttp && options.RequireHttpsMetadata)
        {
            errors.Add($"Bff:Authority '{options.Authority}' is not HTTPS. Use HTTPS, or set Bff:RequireHttpsMetadata to false for a development provider.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            errors.Add("Bff:ClientId is required: the client id registered at the provider.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            errors.Add("Bff:ClientSecret is required: the BFF is a confidential client.");
        }

        if (options.Scopes.Count > 0 && !options.Scopes.Contains("openid"))
        {
            errors.Add("Bff:Scopes must contain 'openid'.");
        }

        foreach (var (key, path) in new[] { ("CallbackPath", options.CallbackPath), ("SignedOutCallbackPath", options.SignedOutCallbackPath) })
        {
            if (string.IsNullOrEmpty(path) || path[0] != '/')
            {
                errors.Add($"Bff:{key} must be a path that starts with '/'.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.CookieName) || options.CookieName.StartsWith("__", StringComparison.Ordinal))
        {
            errors.Add("Bff:CookieName must be a plain name; the __Host- prefix is added automatically over HTTPS.");
        }

        if (options.Session.IdleTimeout <= TimeSpan.Zero)
        {
            errors.Add("Bff:Session:IdleTimeout must be positive, e.g. 00:15:00.");
        }

        if (options.Session.AbsoluteLifetime <= TimeSpan.Zero)
        {
            errors.Add("Bff:Session:AbsoluteLifetime must be positive, e.g. 08:00:00.");
        }

        if (options.Session.AuditEventsPerUser is < 1 or > 10_000)
        {
            errors.Add("Bff:Session:AuditEventsPerUser must be between 1 and 10000, e.g. 50.");
        }

        if (options.Session.MaxPerUser is < 1 or > 10_000)
        {
            errors.Add("Bff:Session:MaxPerUser must be between 1 and 10000, e.g. 100.");
        }

        if (options.Session.TicketCacheSize is < 0 or > 1_000_000)
        {
            errors.Add("Bff:Session:TicketCacheSize must be between 0 (off) and 1000000, e.g. 10000.");
        }

        if (options.Session.AuditRetention <= TimeSpan.Zero)
        {
            errors.Add("Bff:Session:AuditRetention must be positive, e.g. 30.00:00:00.");
        }

        foreach (var proxy in options.TrustedProxies)
        {
            if (!TrustedProxyEntry.TryParse(proxy, out _))
            {
                errors.Add($"Bff:TrustedProxies entry '{proxy}' is neither an IP address (10.0.0.5) nor a CIDR range (10.0.0.0/8).");
            }
        }

        foreach (var (key, rule) in new[]
                 {
                     ("Login", options.RateLimits.Login),
                     ("SignInCallback", options.RateLimits.SignInCallback),
                     ("BackChannel", options.RateLimits.BackChannel),
                     ("AnonymousApi", options.RateLimits.AnonymousApi),
                 })
        {
            if (rule is null || rule.PermitLimit < 1)
            {
                errors.Add($"Bff:RateLimits:{key}:PermitLimit must be at least 1, e.g. 10.");
            }

            if (rule is null || rule.Window <= TimeSpan.Zero)
            {
                errors.Add($"Bff:RateLimits:{key}:Window must be positive, e.g. 00:01:00.");
            }
        }

        if (options.Tokens.RefreshBeforeExpiry < TimeSpan.Zero)
        {
            errors.Add("Bff:Tokens:RefreshBeforeExpiry must not be negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
