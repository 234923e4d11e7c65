namespace Bff.RateLimiting;

/// <summary>Per-client-address limits on the endpoints that start or finish a sign-in, bound from <c>Bff:RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    /// <summary><c>/bff/login</c>. Defaults to 10 per minute.</summary>
    public RateLimitRule Login { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    /// <summary>The sign-in callback (<c>/signin-oidc</c>). Defaults to 20 per minute.</summary>
    public RateLimitRule SignInCallback { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// <c>/bff/backchannel</c>. The provider sends every logout from its own few addresses, so this is
    /// higher. Defaults to 300 per minute.
    /// </summary>
    public RateLimitRule BackChannel { get; set; } = new() { PermitLimit = 300, Window = TimeSpan.FromMinutes(1) };
}

/// <summary>At most <see cref="PermitLimit"/> requests per client address in each fixed <see cref="Window"/>.</summary>
public sealed class RateLimitRule
{
    /// <summary>Requests allowed per window.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The window's length.</summary>
    public TimeSpan Window { get; set; }
}
