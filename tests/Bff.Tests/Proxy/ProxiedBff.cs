using System.Globalization;
using Bff.Host;
using Bff.Tests.Endpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;

namespace Bff.Tests.Proxy;

/// <summary>
/// The BFF host on Kestrel, without an identity provider, with one remote-API route <c>/api/{**rest}</c> (token type
/// <c>None</c>, so no sign-in is needed) to the cluster <c>api</c>, whose destinations are real Kestrel servers the test
/// starts (<see cref="Oidc.LocalHttpServer"/>): for what the proxy itself does with requests, answers and failures.
/// </summary>
internal sealed class ProxiedBff : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProxiedBff(WebApplication app)
    {
        _app = app;
        Url = app.Urls.Single();
    }

    public string Url { get; }

    /// <param name="cluster">Settings of the cluster <c>api</c>, relative to it (<c>Destinations:d1:Address</c>, <c>LoadBalancingPolicy</c>, …).</param>
    /// <param name="route">Settings of the route <c>api</c>, relative to it (<c>MaxRequestBodySize</c>, …).</param>
    /// <param name="settings">Other settings of the host, by their full key (<c>Bff:Session:…</c>).</param>
    public static async Task<ProxiedBff> StartAsync(IReadOnlyDictionary<string, string> cluster, IReadOnlyDictionary<string, string>? route = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["ReverseProxy:Routes:api:ClusterId"] = "api",
            ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
            ["ReverseProxy:Routes:api:Metadata:Bff.TokenType"] = "None",
        };
        foreach (var (key, value) in cluster)
        {
            all["ReverseProxy:Clusters:api:" + key] = value;
        }

        foreach (var (key, value) in route ?? new Dictionary<string, string>())
        {
            all["ReverseProxy:Routes:api:" + key] = value;
        }

        var app = BffHostApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            .. StandaloneBff.OverPlainHttp,
            .. all.Select(s => $"--{s.Key}={s.Value}"),
        ]);
        await app.StartAsync();
        return new ProxiedBff(app);
    }

    /// <summary>A client that calls the way the SPA does (<c>X-CSRF: 1</c>).</summary>
    public BrowserClient NewBrowser() => new(Url);

    public IServiceProvider Services => _app.Services;

    /// <summary>A client with a session of <paramref name="sub"/>, made straight in the ticket store.</summary>
    /// <param name="accessToken">An access token (valid for an hour) for the session to hold, none when null.</param>
    public async Task<BrowserClient> SignedInBrowserAsync(string sub = "alice", string? accessToken = null)
    {
        var browser = NewBrowser();
        var properties = new AuthenticationProperties();
        if (accessToken is not null)
        {
            properties.StoreTokens(
            [
                new AuthenticationToken { Name = SessionTokens.AccessTokenName, Value = accessToken },
                new AuthenticationToken { Name = SessionTokens.ExpiresAtName, Value = DateTimeOffset.UtcNow.AddHours(1).ToString("o", CultureInfo.InvariantCulture) },
            ]);
        }

        var cookie = (await InProcessBff.SessionCookieAsync(_app.Services, sub, properties)).Split('=', 2);
        browser.Cookies.Add(new Uri(Url), new System.Net.Cookie(cookie[0], cookie[1]));
        return browser;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
