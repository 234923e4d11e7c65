using System.Security.Claims;
using Bff.Configuration;
using Bff.Sessions;
using Bff.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bff.Tests.Sessions;

/// <summary>The session parts wired as the BFF wires them, over the in-memory store and a test clock.</summary>
internal sealed class SessionHarness : IDisposable
{
    public SessionHarness(TimeSpan? idle = null, TimeSpan? absolute = null, IDataProtectionProvider? keys = null)
    {
        Options = new BffOptions
        {
            Session = new SessionOptions
            {
                IdleTimeout = idle ?? TimeSpan.FromMinutes(15),
                AbsoluteLifetime = absolute ?? TimeSpan.FromHours(8),
            },
        };
        Keys = keys ?? new EphemeralDataProtectionProvider();
        Store = new InMemorySessionStore(Time);
        Policy = new SessionPolicy(Microsoft.Extensions.Options.Options.Create(Options));
        Terminator = new SessionTerminator(Store, [Observer, new FailingObserver()], NullLogger<SessionTerminator>.Instance);
        Tickets = new SessionTicketProtector(Keys);
        TicketStore = new ServerSideTicketStore(Store, Terminator, Tickets, Policy, Time, NullLogger<ServerSideTicketStore>.Instance);
    }

    public TestTimeProvider Time { get; } = new();

    public BffOptions Options { get; }

    public IDataProtectionProvider Keys { get; }

    public InMemorySessionStore Store { get; }

    public SessionPolicy Policy { get; }

    public RecordingObserver Observer { get; } = new();

    public SessionTerminator Terminator { get; }

    public SessionTicketProtector Tickets { get; }

    public ServerSideTicketStore TicketStore { get; }

    public static AuthenticationTicket Ticket(string sub = "alice", string? sid = "provider-session-1")
    {
        var claims = new List<Claim> { new("sub", sub), new("name", sub) };
        if (sid is not null)
        {
            claims.Add(new Claim("sid", sid));
        }

        var properties = new AuthenticationProperties();
        properties.StoreTokens([new AuthenticationToken { Name = "access_token", Value = "at-" + sub }]);
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, "bff")), properties, "cookie");
    }

    public SessionRecord Record(string id, string subject = "alice", string? sid = null, TimeSpan? lifetime = null)
    {
        var now = Time.GetUtcNow();
        return new SessionRecord
        {
            Id = id,
            PublicId = "public-" + id,
            Subject = subject,
            ProviderSessionId = sid,
            CreatedAt = now,
            LastActivityAt = now,
            AbsoluteExpiresAt = now + (lifetime ?? TimeSpan.FromMinutes(15)),
            ExpiresAt = now + (lifetime ?? TimeSpan.FromMinutes(15)),
            Ticket = [1],
        };
    }

    public void Dispose() => Store.Dispose();

    internal sealed class RecordingObserver : ISessionEndObserver
    {
        public List<(SessionRecord Session, SessionEndReason Reason)> Ended { get; } = [];

        public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
        {
            Ended.Add((session, reason));
            return Task.CompletedTask;
        }
    }

    // An observer that always fails: it must never keep a session from ending nor hide it from the others.
    private sealed class FailingObserver : ISessionEndObserver
    {
        public Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("observer failure");
    }
}
