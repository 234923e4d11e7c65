using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Bff.Host;
using DemoApi;

namespace Bff.Testing;

/// <summary>Options for one <see cref="TestStack"/>: what differs between tests.</summary>
public sealed record TestStackOptions
{
    /// <summary>Access-token lifetime at the identity provider, in seconds.</summary>
    public int AccessTokenLifetimeSeconds { get; init; } = 300;

    /// <summary>How many BFF instances to start (all share the provider, the API and, when given, Redis).</summary>
    public int BffInstances { get; init; } = 1;

    /// <summary>A Redis configuration string; null keeps the in-memory stores.</summary>
    public string? Redis { get; init; }

    /// <summary>Extra BFF configuration, as <c>key=value</c> pairs (e.g. <c>Bff:Session:IdleTimeout</c>).</summary>
    public IReadOnlyDictionary<string, string> BffSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>More origins the identity provider accepts redirects to (e.g. a TLS-terminating proxy in front of the BFF).</summary>
    public IReadOnlyList<string> ExtraOrigins { get; init; } = [];

    /// <summary>Extra set-up of each BFF host before it is built (e.g. a startup filter that observes requests).</summary>
    public Action<WebApplicationBuilder>? ConfigureBff { get; init; }

    /// <summary>
    /// The BFF instances' clock: a fake one the test moves where the BFF's own time decides (token due, idle
    /// timeout, back-off). Null: the system clock.
    /// </summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>
    /// Run the demo API as its own <c>dotnet</c> process instead of in the test's: the benchmark measures the
    /// proxy's CPU time alone this way.
    /// </summary>
    public bool ApiInOwnProcess { get; init; }

    /// <summary>Which identity provider to start; null: the node development provider (<see cref="IdentityProvider"/>).</summary>
    public Func<TestProviderSetup, ITestIdentityProvider>? Provider { get; init; }
}

/// <summary>
/// The whole system on loopback, really started: an identity provider (the node one unless told otherwise), the demo API on Kestrel
/// and one or more BFF instances on Kestrel, each on a port Kestrel picks.
/// </summary>
public sealed class TestStack : IAsyncDisposable
{
    private readonly TestStackOptions _options;
    private readonly WebApplication?[] _bffs;
    private readonly int[] _bffPorts;
    private readonly List<string> _providerOrigins = [];
    private WebApplication? _api;
    private ExternalProcess? _apiProcess;

    private TestStack(TestStackOptions options)
    {
        _options = options;
        _bffs = new WebApplication?[options.BffInstances];
        _bffPorts = new int[options.BffInstances];
        // The provider is a separate process whose address the API and the BFFs need before it starts, so it is
        // told a free port; it learns the BFFs' origins (Kestrel picks their ports) before it starts.
        var setup = new TestProviderSetup(FreePort.Next(), _providerOrigins, options.AccessTokenLifetimeSeconds);
        Provider = options.Provider is { } provider ? provider(setup) : new IdentityProvider(setup);
    }

    /// <summary>The node development provider (its test hooks); see <see cref="Provider"/> for any provider.</summary>
    public IdentityProvider Idp => Provider as IdentityProvider
        ?? throw new InvalidOperationException("This stack runs another identity provider: use Provider.");

    /// <summary>The identity provider the BFF and the API trust.</summary>
    public ITestIdentityProvider Provider { get; }

    /// <summary>The demo API's port: chosen by Kestrel when it runs in the test's process (port 0: no race for a free one), a free one otherwise.</summary>
    public int ApiPort { get; private set; }

    /// <summary>The BFF instances' ports, chosen by Kestrel when each first started and kept for restarts.</summary>
    public IReadOnlyList<int> BffPorts => _bffPorts;

    /// <summary>The first BFF instance's origin.</summary>
    public string BffUrl => BffUrlOf(0);

    public string BffUrlOf(int instance) => $"http://localhost:{BffPorts[instance]}";

    public IServiceProvider BffServices(int instance = 0) =>
        (_bffs[instance] ?? throw new InvalidOperationException($"BFF instance {instance} is stopped.")).Services;

    public static async Task<TestStack> StartAsync(TestStackOptions? options = null)
    {
        var stack = new TestStack(options ?? new TestStackOptions());
        try
        {
            await stack.StartApiAsync();
            for (var i = 0; i < stack._bffs.Length; i++)
            {
                await stack.StartBffAsync(i);
            }

            // Nothing has called the provider yet: the BFF reads its discovery document on first use.
            stack._providerOrigins.AddRange(Enumerable.Range(0, stack._bffs.Length).Select(stack.BffUrlOf).Concat(stack._options.ExtraOrigins));
            await stack.Provider.StartAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>The demo API's process id when it runs in its own process (<see cref="TestStackOptions.ApiInOwnProcess"/>).</summary>
    public int? ApiProcessId => _apiProcess?.Id;

    private async Task StartApiAsync()
    {
        string[] settings = ["--Api:Authority", Provider.Authority, "--Logging:LogLevel:Default", "Warning"];
        if (!_options.ApiInOwnProcess)
        {
            _api = DemoApiApp.Create(["--urls", "http://127.0.0.1:0", .. settings]);
            await _api.StartAsync();
            ApiPort = new Uri(_api.Urls.Single()).Port;
            return;
        }

        // Built next to whatever references Bff.Testing; a separate process is told its port.
        ApiPort = FreePort.Next();
        var assembly = Path.Combine(AppContext.BaseDirectory, "Api.dll");
        _apiProcess = ExternalProcess.Start("dotnet", [assembly, "--urls", $"http://127.0.0.1:{ApiPort}", .. settings], AppContext.BaseDirectory);
        using var http = new HttpClient();
        await _apiProcess.WaitUntilAsync(
            async () => (await http.GetAsync($"http://127.0.0.1:{ApiPort}/api/echo")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60),
            "The demo API");
    }

    /// <summary>Configuration the BFF host is started with, as command-line arguments.</summary>
    public IReadOnlyList<string> BffArguments(int instance)
    {
        var settings = new Dictionary<string, string>
        {
            // Kestrel takes no port 0 for "localhost" (two listeners); IPv4 loopback is enough, as clients fall back to it.
            ["urls"] = $"http://127.0.0.1:{_bffPorts[instance]}",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Bff:Authority"] = Provider.Authority,
            ["Bff:RequireHttpsMetadata"] = "false",
            // The suite runs the production environment over plain HTTP on loopback, on purpose.
            ["Bff:AllowPlainHttp"] = "true",
            // The suite reads the readiness details (off by default outside Development).
            ["Bff:Health:ShowDetails"] = "true",
            ["Bff:ClientId"] = Provider.ClientId,
            ["Bff:ClientSecret"] = Provider.ClientSecret,
            ["Bff:Scopes:0"] = "openid",
            ["Bff:Scopes:1"] = "profile",
            ["Bff:Scopes:2"] = "email",
            ["Bff:Scopes:3"] = "offline_access",
            ["Bff:Scopes:4"] = "api",
            ["ReverseProxy:Routes:api:ClusterId"] = "api",
            ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
            ["ReverseProxy:Routes:api:Metadata:Bff.TokenType"] = "User",
            ["ReverseProxy:Routes:open:ClusterId"] = "api",
            ["ReverseProxy:Routes:open:Match:Path"] = "/open-api/{**rest}",
            ["ReverseProxy:Routes:open:Metadata:Bff.TokenType"] = "None",
            ["ReverseProxy:Routes:open:Transforms:0:PathPattern"] = "/api/{**rest}",
            ["ReverseProxy:Routes:public-api:ClusterId"] = "api",
            ["ReverseProxy:Routes:public-api:Match:Path"] = "/public-api/{**rest}",
            ["ReverseProxy:Routes:public-api:Metadata:Bff.TokenType"] = "Client",
            ["ReverseProxy:Routes:public-api:Metadata:Bff.Scope"] = "api",
            ["ReverseProxy:Routes:public-api:Metadata:Bff.AllowAnonymous"] = "true",
            ["ReverseProxy:Routes:public-api:Transforms:0:PathPattern"] = "/api/{**rest}",
            ["ReverseProxy:Routes:maybe-user:ClusterId"] = "api",
            ["ReverseProxy:Routes:maybe-user:Match:Path"] = "/maybe-user-api/{**rest}",
            ["ReverseProxy:Routes:maybe-user:Metadata:Bff.TokenType"] = "UserOrClient",
            ["ReverseProxy:Routes:maybe-user:Metadata:Bff.Scope"] = "api",
            ["ReverseProxy:Routes:maybe-user:Metadata:Bff.AllowAnonymous"] = "true",
            ["ReverseProxy:Routes:members-client:ClusterId"] = "api",
            ["ReverseProxy:Routes:members-client:Match:Path"] = "/members-client-api/{**rest}",
            ["ReverseProxy:Routes:members-client:Metadata:Bff.TokenType"] = "Client",
            ["ReverseProxy:Routes:members-client:Metadata:Bff.Scope"] = "api",
            ["ReverseProxy:Routes:members-client:Transforms:0:PathPattern"] = "/api/{**rest}",
            ["ReverseProxy:Routes:maybe-user:Transforms:0:PathPattern"] = "/api/{**rest}",
            ["ReverseProxy:Clusters:api:Destinations:d1:Address"] = $"http://127.0.0.1:{ApiPort}",
            // Every test signs in from 127.0.0.1: the production limits would throttle the suite.
            ["Bff:RateLimits:Login:PermitLimit"] = "10000",
            ["Bff:RateLimits:SignInCallback:PermitLimit"] = "10000",
            ["Bff:RateLimits:BackChannel:PermitLimit"] = "10000",
            ["Bff:RateLimits:AnonymousApi:PermitLimit"] = "10000",
        };
        if (_options.Redis is not null)
        {
            settings["ConnectionStrings:Redis"] = _options.Redis;
        }

        foreach (var (key, value) in _options.BffSettings)
        {
            settings[key] = value;
        }

        return settings.Select(s => $"--{s.Key}={s.Value}").ToArray();
    }

    public async Task StartBffAsync(int instance)
    {
        var app = BffHostApp.Create([.. BffArguments(instance)], builder =>
        {
            if (_options.Clock is { } clock)
            {
                builder.Services.AddSingleton(clock);
            }

            _options.ConfigureBff?.Invoke(builder);
        });
        await app.StartAsync();
        _bffs[instance] = app;
        _bffPorts[instance] = new Uri(app.Urls.Single()).Port;
    }

    public async Task StopBffAsync(int instance)
    {
        if (_bffs[instance] is { } app)
        {
            _bffs[instance] = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>A fresh browser-like client (its own cookie jar) pointed at the given BFF instance.</summary>
    public BrowserClient NewBrowser(int instance = 0) => new(BffUrlOf(instance));

    /// <summary>
    /// A browser on one instance that carries a session cookie taken from another: the same user arriving at
    /// another instance behind a load balancer. A null cookie gives a fresh browser.
    /// </summary>
    public BrowserClient NewBrowser(int instance, Cookie? session)
    {
        var browser = NewBrowser(instance);
        if (session is not null)
        {
            browser.Cookies.Add(new Uri(BffUrlOf(instance)), new Cookie(session.Name, session.Value));
        }

        return browser;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _bffs.Length; i++)
        {
            await StopBffAsync(i);
        }

        if (_api is not null)
        {
            await _api.StopAsync();
            await _api.DisposeAsync();
        }

        if (_apiProcess is not null)
        {
            await _apiProcess.DisposeAsync();
        }

        await Provider.DisposeAsync();
    }
}
