using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bff.Testing;

/// <summary>
/// A browser as far as the HTTP flows go: one cookie jar, redirects followed by hand (so tests can see
/// every hop), and the identity provider's login and logout forms filled in and submitted.
/// </summary>
public sealed partial class BrowserClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="bffUrl">The BFF's origin as the browser sees it.</param>
    /// <param name="trustsServerCertificate">For an https origin with a test certificate: which certificate to accept.</param>
    public BrowserClient(string bffUrl, Func<System.Security.Cryptography.X509Certificates.X509Certificate2?, bool>? trustsServerCertificate = null)
    {
        BffUrl = bffUrl;
        Cookies = new CookieContainer();
        var handler = new HttpClientHandler
        {
            CookieContainer = Cookies,
            AllowAutoRedirect = false,
            UseCookies = true,
        };
        if (trustsServerCertificate is not null)
        {
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) => trustsServerCertificate(certificate);
        }

        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri(bffUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string BffUrl { get; set; }

    public CookieContainer Cookies { get; }

    /// <summary>The BFF's session cookie, if the jar holds one.</summary>
    public Cookie? SessionCookie => Cookies.GetAllCookies().FirstOrDefault(c => c.Name is "bff" or "__Host-bff");

    /// <summary>Drops the session cookie, as a user clearing this site's cookies does (the provider's stay).</summary>
    public void DropSessionCookie()
    {
        if (SessionCookie is { } cookie)
        {
            // Adding an expired cookie of the same name, domain and path removes the stored one.
            Cookies.Add(new Uri(BffUrl), new Cookie(cookie.Name, "", cookie.Path) { Expired = true });
        }
    }

    /// <summary>A call as the SPA makes it: same origin, with the anti-forgery header unless told otherwise.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, bool antiforgery = true, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, RawUri(path)) { Content = content };
        if (antiforgery)
        {
            request.Headers.Add("X-CSRF", "1");
        }

        return _http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path, bool antiforgery = true) => SendAsync(HttpMethod.Get, path, antiforgery);

    /// <summary>Sends a request the test built itself (extra headers), relative to the BFF.</summary>
    public Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request)
    {
        if (request.RequestUri is { IsAbsoluteUri: false } relative)
        {
            request.RequestUri = new Uri(new Uri(BffUrl), relative);
        }

        return _http.SendAsync(request);
    }

    /// <summary>The last sign-in callback URL this browser followed (to replay it).</summary>
    public Uri? LastCallbackUrl { get; private set; }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The signed-in user's claims from <c>/bff/user</c>, as type → first value.</summary>
    public async Task<Dictionary<string, JsonElement>> UserAsync()
    {
        var claims = await GetJsonAsync("/bff/user");
        return claims.EnumerateArray()
            .GroupBy(c => c.GetProperty("type").GetString()!)
            .ToDictionary(g => g.Key, g => g.First().GetProperty("value"));
    }

    /// <summary>Browser navigation: follows redirects (across origins) and returns the last response.</summary>
    public async Task<BrowserPage> NavigateAsync(string url, HttpMethod? method = null, IDictionary<string, string>? form = null)
    {
        var target = new Uri(new Uri(BffUrl), url);
        var hops = new List<Uri>();
        for (var i = 0; i < 20; i++)
        {
            hops.Add(target);
            if (target.AbsolutePath.EndsWith("/signin-oidc", StringComparison.Ordinal))
            {
                LastCallbackUrl = target;
            }

            using var request = new HttpRequestMessage(method ?? HttpMethod.Get, target);
            // What a browser says of a navigation (the BFF answers it with a page).
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "navigate");
            request.Headers.Accept.ParseAdd("text/html");
            if (form is not null)
            {
                request.Content = new FormUrlEncodedContent(form);
            }

            using var response = await _http.SendAsync(request);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                target = location.IsAbsoluteUri ? location : new Uri(target, location);
                method = null;
                form = null;
                continue;
            }

            return new BrowserPage(target, response.StatusCode, await response.Content.ReadAsStringAsync(),
                response.Content.Headers.ContentType?.MediaType, hops);
        }

        throw new InvalidOperationException("Too many redirects: " + string.Join(" -> ", hops));
    }

    /// <summary>Signs in through <c>/bff/login</c> at the identity provider as <paramref name="login"/>, and lands back on the BFF.</summary>
    public async Task<BrowserPage> SignInAsync(string login = "alice", string returnUrl = "/")
    {
        var page = await NavigateAsync($"/bff/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        if (page.Form() is { } loginForm && loginForm.Fields.ContainsKey("login"))
        {
            loginForm.Fields["login"] = login;
            loginForm.Fields["password"] = "any-password";
            page = await NavigateAsync(loginForm.Action.ToString(), HttpMethod.Post, loginForm.Fields);
        }

        if (!page.Url.ToString().StartsWith(BffUrl, StringComparison.Ordinal) || page.Status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Sign-in did not land on the BFF: {(int)page.Status} {page.Url}\n{page.Body}");
        }

        return page;
    }

    /// <summary>Signs out through the <c>bff:logout_url</c> and the provider's logout confirmation.</summary>
    public async Task<BrowserPage> SignOutAsync(string returnUrl = "/")
    {
        var logoutUrl = (await UserAsync())["bff:logout_url"].GetString()!;
        var page = await NavigateAsync($"{logoutUrl}&returnUrl={Uri.EscapeDataString(returnUrl)}");
        if (page.Form() is { } confirm)
        {
            // The provider's page submits itself with script; a browser would post the form.
            page = await NavigateAsync(confirm.Action.ToString(), HttpMethod.Post, confirm.Fields);
        }

        return page;
    }

    public void Dispose() => _http.Dispose();

    // Sent exactly as written: the test decides what the server sees (no dot-segment or escape clean-up).
    private Uri RawUri(string path) =>
        new(BffUrl.TrimEnd('/') + path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    [GeneratedRegex("""<form\b[^>]*>.*?</form>""", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    internal static partial Regex FormPattern();

    [GeneratedRegex("""<(input|button)\b[^>]*>""", RegexOptions.IgnoreCase)]
    internal static partial Regex FieldPattern();

    [GeneratedRegex("""\b(?<name>[a-z-]+)\s*=\s*"(?<value>[^"]*)"?""", RegexOptions.IgnoreCase)]
    internal static partial Regex AttributePattern();
}

/// <summary>Where a navigation ended.</summary>
public sealed record BrowserPage(Uri Url, HttpStatusCode Status, string Body, string? MediaType, IReadOnlyList<Uri> Hops)
{
    /// <summary>The page's first form: where it posts and the values a browser would submit (named buttons included).</summary>
    public HtmlForm? Form()
    {
        var match = BrowserClient.FormPattern().Match(Body);
        if (!match.Success)
        {
            return null;
        }

        var formTag = match.Value[..(match.Value.IndexOf('>') + 1)];
        var action = Attributes(formTag).GetValueOrDefault("action") ?? Url.ToString();
        var fields = new Dictionary<string, string>();
        foreach (Match field in BrowserClient.FieldPattern().Matches(match.Value))
        {
            var attributes = Attributes(field.Value);
            if (attributes.TryGetValue("name", out var name))
            {
                fields[name] = attributes.GetValueOrDefault("value") ?? "";
            }
        }

        return new HtmlForm(new Uri(Url, action), fields);
    }

    private static Dictionary<string, string> Attributes(string tag) =>
        BrowserClient.AttributePattern().Matches(tag)
            .GroupBy(m => m.Groups["name"].Value.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Groups["value"].Value));
}

public sealed record HtmlForm(Uri Action, Dictionary<string, string> Fields);
