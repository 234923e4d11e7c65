using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Sessions;

public sealed class InMemorySessionStoreTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SessionExpiryQueue _expiries = new();
    private readonly InMemorySessionStore _store;

    public InMemorySessionStoreTests() => _store = new InMemorySessionStore(_time, _expiries);

    public void Dispose() => _store.Dispose();

    private SessionRecord Session(string id, string sub, string? sid, TimeSpan lifetime) => new()
    {
        Id = id,
        PublicId = "p-" + id,
        Subject = sub,
        ProviderSessionId = sid,
        CreatedAt = _time.GetUtcNow(),
        LastActivityAt = _time.GetUtcNow(),
        AbsoluteExpiresAt = _time.GetUtcNow() + lifetime,
        ExpiresAt = _time.GetUtcNow() + lifetime,
        Ticket = [1],
    };

    [Fact]
    public async Task A_fenced_ticket_replace_writes_only_over_the_stamp_it_was_given()
    {
        var session = Session("a", "alice", null, TimeSpan.FromMinutes(10));
        await _store.SaveAsync(session, default);

        Assert.Null(await _store.ReplaceTicketAsync("a", [9], session.Stamp + 1, default));
        Assert.Equal([1], (await _store.GetAsync("a", default))!.Ticket);

        var replaced = await _store.ReplaceTicketAsync("a", [7], session.Stamp, default);
        Assert.Equal([7], replaced!.Ticket);
        Assert.NotEqual(session.Stamp, replaced.Stamp);
        Assert.Null(await _store.ReplaceTicketAsync("a", [8], session.Stamp, default));
        Assert.Equal([7], (await _store.GetAsync("a", default))!.Ticket);
    }

    [Fact]
    public async Task Counts_and_lookups_leave_out_expired_sessions()
    {
        await _store.SaveAsync(Session("a", "alice", "s1", TimeSpan.FromSeconds(30)), default);
        await _store.SaveAsync(Session("b", "alice", "s1", TimeSpan.FromMinutes(10)), default);
        await _store.SaveAsync(Session("c", "bob", null, TimeSpan.FromMinutes(10)), default);
        Assert.Equal(3, await _store.CountAsync(default));

        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(2, await _store.CountAsync(default));
        Assert.Equal(["b"], (await _store.GetBySubjectAsync("alice", default)).Select(s => s.Id));
        Assert.Equal(["b"], (await _store.GetByProviderSessionAsync("s1", default)).Select(s => s.Id));
        // Read by id, the expired record is still there so its owner can be told why it ended.
        Assert.NotNull(await _store.GetAsync("a", default));
    }

    [Fact]
    public async Task The_sweep_drops_expired_sessions_and_reports_them()
    {
        await _store.SaveAsync(Session("a", "alice", "s1", TimeSpan.FromSeconds(30)), default);
        await _store.SaveAsync(Session("b", "alice", null, TimeSpan.FromMinutes(10)), default);

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(await _store.GetAsync("a", default));
        Assert.True(_expiries.Reader.TryRead(out var reported));
        Assert.Equal("a", reported.Id);
        Assert.False(_expiries.Reader.TryRead(out _));
        Assert.Empty(await _store.GetByProviderSessionAsync("s1", default));
    }

    [Fact]
    public async Task Sessions_expiring_beyond_what_the_queue_holds_stay_until_a_later_sweep_reports_them()
    {
        // A sign-in wave reaching the absolute limit together: more expire in one sweep than the queue holds.
        const int count = 25_000;
        for (var i = 0; i < count; i++)
        {
            await _store.SaveAsync(Session("s" + i, "user" + (i % 5000), "sid" + i, TimeSpan.FromSeconds(30)), default);
        }

        var reported = new List<string>();
        for (var sweep = 0; sweep < 3; sweep++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            while (_expiries.Reader.TryRead(out var expired))
            {
                reported.Add(expired.Id);
            }

            // What the queue could not take is still there, for the next sweep or its owner's next request.
            var left = 0;
            for (var i = 0; i < count; i++)
            {
                left += await _store.GetAsync("s" + i, default) is null ? 0 : 1;
            }

            Assert.Equal(count - reported.Count, left);
        }

        // Every one reported (so audited, its refresh token revoked), once, and gone.
        Assert.Equal(Enumerable.Range(0, count).Select(i => "s" + i).Order(StringComparer.Ordinal), reported.Order(StringComparer.Ordinal));
        Assert.Null(await _store.GetAsync("s0", default));
        Assert.Empty(await _store.GetBySubjectAsync("user0", default));
    }

    [Fact]
    public async Task Lookups_leave_the_ticket_out_as_every_store_does()
    {
        var session = Session("a", "alice", "s1", TimeSpan.FromMinutes(10)) with { Ticket = [1, 2, 3] };
        await _store.SaveAsync(session, default);

        foreach (var listed in (await _store.GetBySubjectAsync("alice", default)).Concat(await _store.GetByProviderSessionAsync("s1", default)))
        {
            Assert.Empty(listed.Ticket);
            Assert.Equal(session with { Ticket = listed.Ticket }, listed);
        }

        Assert.Equal(session.Ticket, (await _store.GetAsync("a", default))!.Ticket);
    }

    [Fact]
    public async Task Remove_returns_the_record_once_even_when_expired()
    {
        await _store.SaveAsync(Session("a", "alice", null, TimeSpan.FromSeconds(10)), default);
        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal("a", (await _store.RemoveAsync("a", default))?.Id);
        Assert.Null(await _store.RemoveAsync("a", default));
    }
}
