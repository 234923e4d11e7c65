using Bff.Sessions;

namespace Bff.Tests.Sessions;

public sealed class InMemorySessionStoreTests : IDisposable
{
    private readonly SessionHarness _h = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Saved_session_is_found_by_id_subject_and_provider_session()
    {
        var session = _h.Record("s1", "alice", sid: "idp-1");
        await _h.Store.SaveAsync(session, _ct);

        Assert.Same(session, await _h.Store.GetAsync("s1", _ct));
        Assert.Same(session, Assert.Single(await _h.Store.GetBySubjectAsync("alice", _ct)));
        Assert.Same(session, Assert.Single(await _h.Store.GetByProviderSessionAsync("idp-1", _ct)));
        Assert.Empty(await _h.Store.GetBySubjectAsync("bob", _ct));
        Assert.Empty(await _h.Store.GetByProviderSessionAsync("idp-2", _ct));
    }

    [Fact]
    public async Task Save_replaces_a_session_with_the_same_id()
    {
        await _h.Store.SaveAsync(_h.Record("s1"), _ct);
        var renewed = _h.Record("s1") with { Ticket = [9] };

        await _h.Store.SaveAsync(renewed, _ct);

        Assert.Same(renewed, await _h.Store.GetAsync("s1", _ct));
        Assert.Single(await _h.Store.GetBySubjectAsync("alice", _ct));
    }

    [Fact]
    public async Task A_user_has_many_sessions()
    {
        await _h.Store.SaveAsync(_h.Record("s1", "alice", "idp-1"), _ct);
        await _h.Store.SaveAsync(_h.Record("s2", "alice", "idp-2"), _ct);
        await _h.Store.SaveAsync(_h.Record("s3", "bob", "idp-3"), _ct);

        Assert.Equal(["s1", "s2"], (await _h.Store.GetBySubjectAsync("alice", _ct)).Select(s => s.Id).Order());
    }

    [Fact]
    public async Task Expired_session_is_never_returned()
    {
        await _h.Store.SaveAsync(_h.Record("s1", sid: "idp-1", lifetime: TimeSpan.FromMinutes(5)), _ct);

        _h.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Null(await _h.Store.GetAsync("s1", _ct));
        Assert.Empty(await _h.Store.GetBySubjectAsync("alice", _ct));
        Assert.Empty(await _h.Store.GetByProviderSessionAsync("idp-1", _ct));
        Assert.Null(await _h.Store.RemoveAsync("s1", _ct));
    }

    [Fact]
    public async Task Remove_returns_the_live_session_once()
    {
        await _h.Store.SaveAsync(_h.Record("s1", sid: "idp-1"), _ct);

        var removed = await _h.Store.RemoveAsync("s1", _ct);
        var again = await _h.Store.RemoveAsync("s1", _ct);

        Assert.Equal("s1", removed?.Id);
        Assert.Null(again);
        Assert.Empty(await _h.Store.GetBySubjectAsync("alice", _ct));
        Assert.Empty(await _h.Store.GetByProviderSessionAsync("idp-1", _ct));
    }

    [Fact]
    public async Task Concurrent_saves_and_removes_leave_consistent_indexes()
    {
        var work = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await _h.Store.SaveAsync(_h.Record("s" + i, "alice", "idp-" + (i % 7)), _ct);
            if (i % 2 == 0)
            {
                await _h.Store.RemoveAsync("s" + i, _ct);
            }
        }));
        await Task.WhenAll(work);

        var left = await _h.Store.GetBySubjectAsync("alice", _ct);
        Assert.Equal(100, left.Count);
        Assert.All(left, s => Assert.Equal(1, int.Parse(s.Id[1..]) % 2));
        var bySid = 0;
        for (var i = 0; i < 7; i++)
        {
            bySid += (await _h.Store.GetByProviderSessionAsync("idp-" + i, _ct)).Count;
        }

        Assert.Equal(100, bySid);
    }
}
