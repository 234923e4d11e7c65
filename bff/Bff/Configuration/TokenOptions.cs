namespace Bff.Configuration;

/// <summary>How the BFF keeps access tokens fresh.</summary>
public sealed class TokenOptions
{
    /// <summary>
    /// Refresh an access token when it expires within this margin (but never more than half its lifetime
    /// ahead). Defaults to 60 seconds.
    /// </summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);
}
