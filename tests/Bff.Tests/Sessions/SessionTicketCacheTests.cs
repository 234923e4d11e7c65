using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Bff.Tests.Sessions;

/// <summary>The ticket store with its in-process cache of decrypted tickets, over the in-memory store.</summary>
public sealed class SessionTicketCacheTests
{
    [Fact]
    public async Task A_cached_ticket_is_handed_out_as_a_copy_nobody_can_change()
    {
        using var bff = new SessionHarness();
        var (key, session) = await bff.SignInAsync();

        var first = (await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None))!;
        Assert.True(bff.Get<SessionTicketCache>().TryGet(session.Id, out _));
        first.Properties.Items["tampered"] = "yes";
        ((ClaimsIdentity)first.Principal.Identity!).AddClaim(new Claim("role", "admin"));

        var second = (await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None))!;
        Assert.NotSame(first, second);
        Assert.False(second.Properties.Items.ContainsKey("tampered"));
        Assert.Null(second.Principal.FindFirst("role"));
        Assert.Equal("alice", second.Principal.FindFirstValue("sub"));
    }

    [Fact]
    public async Task A_replaced_ticket_is_served_on_the_next_request()
    {
        using var bff = new SessionHarness();
        var (key, session) = await bff.SignInAsync();
        await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None);

        var rotated = SessionHarness.Ticket();
        rotated.Properties.StoreTokens([new AuthenticationToken { Name = "access_token", Value = "rotated" }]);
        var replaced = await bff.Store.ReplaceTicketAsync(session.Id, bff.Get<SessionTicketProtector>().Protect(rotated), CancellationToken.None);
        Assert.NotEqual(session.Stamp, replaced!.Stamp);

        var next = (await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None))!;
        Assert.Equal("rotated", next.Properties.GetTokenValue("access_token"));
    }

    [Fact]
    public async Task A_session_removed_from_the_store_is_not_served_from_the_cache()
    {
        using var bff = new SessionHarness();
        var (key, session) = await bff.SignInAsync();
        await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None);

        // Straight from the store, as another instance would: this process is not told.
        await bff.Store.RemoveAsync(session.Id, CancellationToken.None);

        Assert.Null(await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None));
        Assert.False(bff.Get<SessionTicketCache>().TryGet(session.Id, out _));
    }

    [Fact]
    public async Task An_expired_session_ends_with_its_reason_though_its_ticket_is_cached()
    {
        using var bff = new SessionHarness();
        var (key, session) = await bff.SignInAsync();
        await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None);

        await bff.AdvanceAsync(TimeSpan.FromMinutes(16));

        var context = SessionHarness.Request();
        Assert.Null(await bff.TicketStore.RetrieveAsync(key, context, CancellationToken.None));
        Assert.Null(await bff.Store.GetAsync(session.Id, CancellationToken.None));
        Assert.Equal(nameof(SessionEndReason.IdleTimeout), context.Features.Get<Bff.Http.EndedSessionFeature>()?.Reason);
    }

    [Fact]
    public async Task With_the_cache_off_every_request_decrypts_and_still_sees_changes()
    {
        using var bff = new SessionHarness(o => o.Session.TicketCacheSize = 0);
        var (key, session) = await bff.SignInAsync();
        Assert.NotNull(await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None));
        Assert.False(bff.Get<SessionTicketCache>().TryGet(session.Id, out _));

        await bff.Store.RemoveAsync(session.Id, CancellationToken.None);
        Assert.Null(await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None));
    }
}
