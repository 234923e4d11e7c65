using Bff.Host;
using Bff.Tests.Endpoints;
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
    public static async Task<ProxiedBff> StartAsync(IReadOnlyDictionary<string, string> cluster, IReadOnlyDictionary<string, string>? route = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:api:ClusterId"] = "api",
            ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
            ["ReverseProxy:Routes:api:Metadata:Bff.TokenType"] = "None",
        };
        foreach (var (key, value) in cluster)
        {
            settings["ReverseProxy:Clusters:api:" + key] = value;
        }

        foreach (var (key, value) in route ?? new Dictionary<string, string>())
        {
            settings["ReverseProxy:Routes:api:" + key] = value;
        }

        var app = BffHostApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            .. StandaloneBff.OverPlainHttp,
            .. settings.Select(s => $"--{s.Key}={s.Value}"),
        ]);
        await app.StartAsync();
        return new ProxiedBff(app);
    }

    /// <summary>A client that calls the way the SPA does (<c>X-CSRF: 1</c>).</summary>
    public BrowserClient NewBrowser() => new(Url);

    /// <summary>A client with a session of <paramref name="sub"/>, made straight in the ticket store.</summary>
    public async Task<BrowserClient> SignedInBrowserAsync(string sub = "alice")
    {
        var browser = NewBrowser();
        var cookie = (await InProcessBff.SessionCookieAsync(_app.Services, sub)).Split('=', 2);
        browser.Cookies.Add(new Uri(Url), new System.Net.Cookie(cookie[0], cookie[1]));
        return browser;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
