namespace OpenIddictProvider;

/// <summary>What the test suite (or a developer) sets when starting the provider: section <c>Provider</c>.</summary>
internal sealed class ProviderSettings
{
    public int Port { get; set; } = 5002;

    /// <summary>Origins of the BFF instances: each gets its redirect and post-logout URIs registered.</summary>
    public string BffOrigins { get; set; } = "http://localhost:5000";

    public string ClientId { get; set; } = "bff";

    public string ClientSecret { get; set; } = "bff-openiddict-secret";

    /// <summary>The client's back-channel logout URI; empty: the first BFF origin's <c>/bff/backchannel</c>.</summary>
    public string? BackChannelLogoutUri { get; set; }

    public int AccessTokenLifetimeSeconds { get; set; } = 300;

    public int RefreshTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>How long a rotated refresh token is still accepted (OpenIddict's default is 30 seconds).</summary>
    public int RefreshTokenReuseLeewaySeconds { get; set; } = 30;

    public string Issuer => $"http://localhost:{Port}/";

    public IReadOnlyList<string> Origins =>
        BffOrigins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string LogoutUri => string.IsNullOrEmpty(BackChannelLogoutUri) ? Origins[0].TrimEnd('/') + "/bff/backchannel" : BackChannelLogoutUri;
}
