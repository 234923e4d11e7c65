using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Endpoints;

/// <summary>
/// The BFF's pipeline and endpoints in process (no provider: sessions are created straight in the ticket
/// store), on a fake clock, for what needs a controlled clock or a fake client address.
/// </summary>
internal sealed class InProcessBff : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessBff(WebApplication app, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
    }

    /// <summary>The request header that sets the client address the BFF sees (<c>none</c>: no address).</summary>
    public const string PeerHeader = "X-Test-Peer";

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<InProcessBff> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 9, 0, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Nothing listens there: a call to the provider fails at once.
            ["Bff:Authority"] = "http://127.0.0.1:9",
            ["Bff:RequireHttpsMetadata"] = "false",
            ["Bff:ClientId"] = "bff",
            ["Bff:ClientSecret"] = "secret",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.Services.AddBff(builder.Configuration.GetSection("Bff"));
        services?.Invoke(builder.Services);

        var app = builder.Build();
        // The test server gives requests no address: give them one (X-Test-Peer, or a default), or none with "none".
        app.Use((context, next) =>
        {
            var peer = context.Request.Headers[PeerHeader].ToString();
            context.Connection.RemoteIpAddress = peer == "none" ? null : System.Net.IPAddress.Parse(peer.Length > 0 ? peer : "203.0.113.1");
            return next(context);
        });
        app.UseBff();
        app.MapBffManagementEndpoints();
        app.MapGet("/page", () => Results.Content("<!doctype html><p>app</p>", "text/html"));
        // An app's own API endpoint, marked the way the README tells apps to.
        app.MapGet("/app-api", () => Results.Text("ok")).WithMetadata(new BffApiEndpointMetadata());
        // An app that signs users in itself, through the session cookie's scheme.
        app.MapGet("/app-sign-in/{sub}", (HttpContext context, string sub) => context.SignInAsync(BffDefaults.CookieScheme,
            new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", sub), new Claim("sid", "sid-" + sub)], "app"))));
        app.MapFallback(() => Results.Text("fallback"));
        await app.StartAsync();
        return new InProcessBff(app, time);
    }

    public HttpClient Client() => _app.GetTestClient();

    /// <summary>Creates a session for <paramref name="sub"/> and returns the cookie header that carries it.</summary>
    public Task<string> SignInAsync(string sub = "alice") => SessionCookieAsync(Services, sub);

    /// <summary>The same for any BFF host in the test's process, through its own ticket store and cookie protection.</summary>
    /// <param name="properties">The ticket's properties (its tokens), none when null.</param>
    public static async Task<string> SessionCookieAsync(IServiceProvider services, string sub, AuthenticationProperties? properties = null)
    {
        var identity = new ClaimsIdentity([new Claim("sub", sub), new Claim("sid", "sid-" + sub)], "test");
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity), properties ?? new AuthenticationProperties(), BffDefaults.CookieScheme);
        var key = await services.GetRequiredService<ServerSideTicketStore>().StoreAsync(ticket, new DefaultHttpContext(), default);

        var cookie = services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(BffDefaults.CookieScheme);
        var carrier = new ClaimsIdentity([new Claim(SessionCookieFormat.SessionKeyClaim, key)], BffDefaults.CookieScheme);
        var value = cookie.TicketDataFormat.Protect(new AuthenticationTicket(new ClaimsPrincipal(carrier), BffDefaults.CookieScheme));
        return "bff=" + value;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? cookie = null, bool antiforgery = true, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (antiforgery)
        {
            request.Headers.Add("X-CSRF", "1");
        }

        configure?.Invoke(request);
        return await Client().SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
