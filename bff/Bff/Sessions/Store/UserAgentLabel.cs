namespace Bff.Sessions.Store;

/// <summary>
/// A short, human label for a <c>User-Agent</c> header, such as "Chrome on Linux" or "Safari on iPhone",
/// for the device list and the audit trail. Deliberately coarse: no versions, nothing to fingerprint.
/// </summary>
internal static class UserAgentLabel
{
    private const string Unknown = "Unknown device";

    // Order matters: many browsers mention the ones they are built on (Edge says Chrome and Safari).
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("OPR/", "Opera"),
        ("Opera", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Vivaldi/", "Vivaldi"),
        ("YaBrowser/", "Yandex Browser"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("PostmanRuntime/", "Postman"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Macintosh", "macOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];

    public static string For(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return Unknown;
        }

        var browser = Find(Browsers, userAgent);
        var system = Find(Systems, userAgent);
        return (browser, system) switch
        {
            (not null, not null) => $"{browser} on {system}",
            (not null, null) => browser,
            (null, not null) => $"Browser on {system}",
            _ => Unknown,
        };
    }

    private static string? Find((string Token, string Name)[] table, string userAgent) =>
        Array.Find(table, entry => userAgent.Contains(entry.Token, StringComparison.Ordinal)).Name;
}
