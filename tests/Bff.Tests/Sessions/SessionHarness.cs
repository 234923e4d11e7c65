using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Sessions;

/// <summary>
/// The unit-test harness: the BFF's services as AddBff wires them, on a fake clock and an ephemeral key ring,
/// with no host and no network. <c>replace</c> registers stand-ins first (AddBff keeps what is registered).
/// </summary>
internal sealed class SessionHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public SessionHarness(Action<BffOptions>? configure = null, Action<IServiceCollection>? replace = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        replace?.Invoke(services);
        services.AddBff(options =>
        {
            options.Authority = "https://login.example.test";
            options.ClientId = "bff";
            options.ClientSecret = "secret";
            configure?.Invoke(options);
        });
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2030, 1, 1, 9, 0, 0, TimeSpan.Zero));

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public ServerSideTicketStore TicketStore => Get<ServerSideTicketStore>();

    public ISessionStore Store => Get<ISessionStore>();

    public IAuditTrail Trail => Get<IAuditTrail>();

    public static AuthenticationTicket Ticket(string sub = "alice", string? sid = "sid-1")
    {
        var claims = new List<Claim> { new("sub", sub) };
        if (sid is not null)
        {
            claims.Add(new Claim("sid", sid));
        }

        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, "test")), BffDefaults.CookieScheme);
    }

    public static DefaultHttpContext Request(string? query = null, string? userAgent = null, string ip = "198.51.100.7")
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        if (userAgent is not null)
        {
            context.Request.Headers.UserAgent = userAgent;
        }

        return context;
    }

    /// <summary>Signs in: stores a ticket and returns the cookie's session key and the stored record.</summary>
    public async Task<(string Key, SessionRecord Session)> SignInAsync(string sub = "alice", string? sid = "sid-1", HttpContext? context = null)
    {
        var key = await TicketStore.StoreAsync(Ticket(sub, sid), context ?? Request(userAgent: Chrome), CancellationToken.None);
        var session = await Store.GetAsync(SessionKeys.StorageIdFor(key), CancellationToken.None);
        return (key, session!);
    }

    /// <summary>Moves the clock, then reports the sessions the store swept meanwhile, as the expiry worker would.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        var terminator = Get<SessionTerminator>();
        while (Get<SessionExpiryQueue>().Reader.TryRead(out var expired))
        {
            await terminator.ReportExpiredAsync(expired);
        }
    }

    public Task<SessionRecord?> SessionAsync(string key) => Store.GetAsync(SessionKeys.StorageIdFor(key), CancellationToken.None);

    public const string Chrome =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    public void Dispose() => _services.Dispose();
}
