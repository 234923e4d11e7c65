namespace Bff.Configuration;

/// <summary>Per-client limits on sign-in, back-channel logout failures and anonymous client-token calls, bound from <c>Bff:RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    /// <summary><c>/bff/login</c>. Defaults to 10 per minute.</summary>
    public RateLimitRule Login { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    /// <summary>The sign-in callback (<c>/signin-oidc</c>). Defaults to 20 per minute.</summary>
    public RateLimitRule SignInCallback { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Failed <c>/bff/backchannel</c> calls (invalid or unreadable logout tokens). Valid logouts never count, so a
    /// provider's mass logout is never refused. Defaults to 300 failures per minute.
    /// </summary>
    public RateLimitRule BackChannel { get; set; } = new() { PermitLimit = 300, Window = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Calls by callers without a session to routes that forward the BFF's own client token to anonymous callers
    /// (<c>Bff.AllowAnonymous</c>). Defaults to 60 per minute.
    /// </summary>
    public RateLimitRule AnonymousApi { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromMinutes(1) };
}

/// <summary>At most <see cref="PermitLimit"/> requests per client address in each fixed <see cref="Window"/>.</summary>
public sealed class RateLimitRule
{
    /// <summary>Requests allowed per window.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The window's length.</summary>
    public TimeSpan Window { get; set; }
}
