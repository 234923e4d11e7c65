namespace Bff.Sessions;

/// <summary>How long a server-side session lives.</summary>
public sealed class SessionOptions
{
    /// <summary>A session ends after this long without a request. Defaults to 15 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session ends this long after sign-in, whatever the activity. Defaults to 8 hours.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(8);
}
