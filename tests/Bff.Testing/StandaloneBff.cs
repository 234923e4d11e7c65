namespace Bff.Testing;

/// <summary>
/// Command-line settings for a BFF host started alone, for what needs no sign-in (start-up checks, health,
/// rate limits, telemetry wiring): its provider is an address where nothing listens, and it logs nothing.
/// </summary>
public static class StandaloneBff
{
    public static readonly string[] Arguments =
    [
        "--Bff:Authority=http://127.0.0.1:9",
        "--Bff:RequireHttpsMetadata=false",
        "--Bff:ClientId=bff",
        "--Bff:ClientSecret=secret",
        "--Logging:LogLevel:Default=None",
    ];

    /// <summary>The same, over plain HTTP outside Development (allowed explicitly).</summary>
    public static readonly string[] OverPlainHttp = [.. Arguments, "--Bff:AllowPlainHttp=true"];
}
