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
        var replaced = await bff.Store.ReplaceTicketAsync(session.Id, bff.Get<SessionTicketProtector>().Protect(rotated, session.Id), CancellationToken.None);
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

    // Someone who can write to the store (but decrypt nothing) copies the victim's ticket into their own session:
    // the ticket is bound to the victim's session, so the attacker's session ends as unreadable.
    [Fact]
    public async Task A_ticket_copied_from_another_session_ends_the_session_it_was_copied_into()
    {
        using var bff = new SessionHarness();
        var (_, victim) = await bff.SignInAsync("alice", "sid-alice");
        var (attackerKey, attacker) = await bff.SignInAsync("mallory", "sid-mallory");

        Assert.NotNull(await bff.Store.ReplaceTicketAsync(attacker.Id, victim.Ticket, CancellationToken.None));

        Assert.Null(await bff.TicketStore.RetrieveAsync(attackerKey, SessionHarness.Request(), CancellationToken.None));
        Assert.Null(await bff.Store.GetAsync(attacker.Id, CancellationToken.None));
        Assert.NotNull(await bff.Store.GetAsync(victim.Id, CancellationToken.None));
    }

    // A ticket of another user, bound to this session (a writer holding the keys would be needed for that; a
    // ticket written before the binding is the case that remains): the record's user must be the ticket's.
    [Fact]
    public async Task A_ticket_of_another_user_than_the_records_does_not_serve()
    {
        using var bff = new SessionHarness();
        var (key, session) = await bff.SignInAsync("mallory", "sid-mallory");
        var alices = bff.Get<SessionTicketProtector>().Protect(SessionHarness.Ticket("alice", "sid-alice"), session.Id);

        Assert.NotNull(await bff.Store.ReplaceTicketAsync(session.Id, alices, CancellationToken.None));

        Assert.Null(await bff.TicketStore.RetrieveAsync(key, SessionHarness.Request(), CancellationToken.None));
    }
}
