using Bff.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Bff.Tests.Sessions;

public sealed class ServerSideTicketStoreTests : IDisposable
{
    private readonly SessionHarness _h = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _h.Dispose();

    private static DefaultHttpContext Request(string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        context.Request.Headers.UserAgent = "TestBrowser/1.0";
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        return context;
    }

    private Task<SessionRecord?> StoredAsync(string key) => _h.Store.GetAsync(SessionKeys.StorageIdFor(key), _ct);

    [Fact]
    public async Task Stored_ticket_is_retrieved_with_its_claims_and_tokens()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);

        var ticket = await _h.TicketStore.RetrieveAsync(key, Request(), _ct);

        Assert.NotNull(ticket);
        Assert.Equal("alice", ticket.Principal.FindFirst("sub")?.Value);
        Assert.Equal("at-alice", ticket.Properties.GetTokenValue("access_token"));
    }

    [Fact]
    public async Task Record_is_keyed_by_a_hash_of_the_cookie_key_and_holds_no_clear_token()
    {
        var context = Request();
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), context, _ct);

        var record = await StoredAsync(key);

        Assert.NotNull(record);
        Assert.NotEqual(key, record.Id);
        Assert.Null(await _h.Store.GetAsync(key, _ct));
        Assert.Equal("alice", record.Subject);
        Assert.Equal("provider-session-1", record.ProviderSessionId);
        Assert.Equal("TestBrowser/1.0", record.UserAgent);
        Assert.Equal("127.0.0.1", record.IpAddress);
        Assert.DoesNotContain("at-alice", System.Text.Encoding.UTF8.GetString(record.Ticket), StringComparison.Ordinal);
        Assert.Same(record, context.Features.Get<CurrentSession>()?.Record);
    }

    [Fact]
    public async Task Each_sign_in_gets_a_new_key()
    {
        var first = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);
        var second = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);

        Assert.NotEqual(first, second);
        Assert.Equal(43, first.Length);
        Assert.Equal(2, (await _h.Store.GetBySubjectAsync("alice", _ct)).Count);
    }

    [Fact]
    public async Task New_session_expires_after_the_idle_timeout_within_the_absolute_lifetime()
    {
        var now = _h.Time.GetUtcNow();
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);

        var record = await StoredAsync(key);

        Assert.Equal(now, record!.CreatedAt);
        Assert.Equal(now.AddMinutes(15), record.ExpiresAt);
        Assert.Equal(now.AddHours(8), record.AbsoluteExpiresAt);
    }

    [Fact]
    public async Task A_ticket_without_sub_is_not_stored()
    {
        var ticket = new AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity("bff")), "cookie");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.TicketStore.StoreAsync(ticket, Request(), _ct));
    }

    [Fact]
    public async Task Idle_session_ends_at_the_idle_timeout()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);

        _h.Time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        Assert.NotNull(await _h.TicketStore.RetrieveAsync(key, Request("?slide=false"), _ct));
        _h.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await _h.TicketStore.RetrieveAsync(key, Request(), _ct));
        Assert.Null(await StoredAsync(key));
        Assert.Empty(await _h.Store.GetBySubjectAsync("alice", _ct));
    }

    [Fact]
    public async Task Activity_keeps_the_session_alive_past_the_first_idle_limit()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);

        for (var i = 0; i < 10; i++)
        {
            _h.Time.Advance(TimeSpan.FromMinutes(10));
            Assert.NotNull(await _h.TicketStore.RetrieveAsync(key, Request(), _ct));
        }

        Assert.Empty(_h.Observer.Ended);
        Assert.Equal(_h.Time.GetUtcNow().AddMinutes(15), (await StoredAsync(key))!.ExpiresAt);
    }

    [Fact]
    public async Task Polling_with_slide_false_does_not_keep_the_session_alive()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);

        _h.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.NotNull(await _h.TicketStore.RetrieveAsync(key, Request("?slide=false"), _ct));
        _h.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Null(await _h.TicketStore.RetrieveAsync(key, Request(), _ct));
    }

    [Fact]
    public async Task Busy_session_ends_at_the_absolute_lifetime()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);
        var start = _h.Time.GetUtcNow();

        while (await _h.TicketStore.RetrieveAsync(key, Request(), _ct) is not null)
        {
            _h.Time.Advance(TimeSpan.FromMinutes(7));
            Assert.True(_h.Time.GetUtcNow() <= start.AddHours(8).AddMinutes(7), "the session outlived its absolute lifetime");
        }

        Assert.True(_h.Time.GetUtcNow() >= start.AddHours(8));
        Assert.Null(await StoredAsync(key));
    }

    [Fact]
    public async Task Activity_within_the_granularity_is_not_written()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);
        var before = await StoredAsync(key);

        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.TicketStore.RetrieveAsync(key, Request(), _ct);

        Assert.Same(before, await StoredAsync(key));
    }

    [Fact]
    public async Task Unreadable_ticket_ends_the_session()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);
        var record = (await StoredAsync(key))!;
        await _h.Store.SaveAsync(record with { Ticket = new EphemeralDataProtectionProvider().CreateProtector("x").Protect([1, 2, 3]) }, _ct);

        Assert.Null(await _h.TicketStore.RetrieveAsync(key, Request(), _ct));
        Assert.Equal(SessionEndReason.Unreadable, Assert.Single(_h.Observer.Ended).Reason);
        Assert.Null(await StoredAsync(key));
    }

    [Fact]
    public async Task Unknown_key_is_no_session()
    {
        Assert.Null(await _h.TicketStore.RetrieveAsync(SessionKeys.NewKey(), Request(), _ct));
        Assert.Empty(_h.Observer.Ended);
    }

    [Fact]
    public async Task Renew_replaces_the_ticket_and_keeps_the_limits()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);
        var before = (await StoredAsync(key))!;
        var refreshed = SessionHarness.Ticket();
        refreshed.Properties.UpdateTokenValue("access_token", "at-refreshed");

        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await _h.TicketStore.RenewAsync(key, refreshed, Request(), _ct);

        var after = (await StoredAsync(key))!;
        Assert.Equal(before.ExpiresAt, after.ExpiresAt);
        Assert.Equal(before.AbsoluteExpiresAt, after.AbsoluteExpiresAt);
        Assert.Equal("at-refreshed", (await _h.TicketStore.RetrieveAsync(key, Request(), _ct))!.Properties.GetTokenValue("access_token"));
    }

    [Fact]
    public async Task Renew_does_not_bring_back_an_ended_session()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);
        await _h.TicketStore.RemoveAsync(key, Request(), _ct);

        await _h.TicketStore.RenewAsync(key, SessionHarness.Ticket(), Request(), _ct);

        Assert.Null(await StoredAsync(key));
    }

    [Fact]
    public async Task Remove_ends_the_session_as_sign_out_once()
    {
        var key = await _h.TicketStore.StoreAsync(SessionHarness.Ticket(), Request(), _ct);

        await _h.TicketStore.RemoveAsync(key, Request(), _ct);
        await _h.TicketStore.RemoveAsync(key, Request(), _ct);

        Assert.Null(await _h.TicketStore.RetrieveAsync(key, Request(), _ct));
        Assert.Equal(SessionEndReason.SignOut, Assert.Single(_h.Observer.Ended).Reason);
    }
}
