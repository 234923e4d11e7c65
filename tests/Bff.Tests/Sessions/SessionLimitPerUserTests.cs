using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Sessions;

/// <summary><c>Bff:Session:MaxPerUser</c>: a user's sign-in beyond the limit ends their oldest session.</summary>
public sealed class SessionLimitPerUserTests : IDisposable
{
    private readonly SessionHarness _harness = new(options => options.Session.MaxPerUser = 3);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Signing_in_beyond_the_limit_ends_the_oldest_session_with_its_reason()
    {
        var keys = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            keys.Add((await _harness.SignInAsync("alice", $"sid-{i}")).Key);
            _harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var (bobKey, _) = await _harness.SignInAsync("bob", "sid-bob");

        var live = await _harness.Store.GetBySubjectAsync("alice", default);
        Assert.Equal(3, live.Count);
        Assert.Null(await _harness.SessionAsync(keys[0]));
        Assert.Null(await _harness.SessionAsync(keys[1]));
        foreach (var key in keys[2..])
        {
            Assert.NotNull(await _harness.SessionAsync(key));
        }

        // Another user is not affected by alice's limit.
        Assert.NotNull(await _harness.SessionAsync(bobKey));

        var ends = (await _harness.Trail.GetRecentAsync("alice", default)).Where(e => e.Kind == AuditEventKinds.Ended).ToList();
        Assert.Equal(2, ends.Count);
        Assert.All(ends, e => Assert.Equal(nameof(SessionEndReason.SessionLimit), e.Reason));
    }

    [Fact]
    public async Task Concurrent_sign_ins_at_the_limit_never_end_each_other()
    {
        // Both sign-ins save before either reads the user's sessions: each must leave the newer one alone.
        BarrierStore? barrier = null;
        using var harness = new SessionHarness(
            options => options.Session.MaxPerUser = 1,
            services => services.AddSingleton<ISessionStore>(sp =>
                barrier = new BarrierStore(ActivatorUtilities.CreateInstance<InMemorySessionStore>(sp), parties: 2)));

        var first = harness.TicketStore.StoreAsync(SessionHarness.Ticket("alice", "sid-1"), SessionHarness.Request(), CancellationToken.None);
        var second = harness.TicketStore.StoreAsync(SessionHarness.Ticket("alice", "sid-2"), SessionHarness.Request(), CancellationToken.None);
        var keys = await Task.WhenAll(first, second);

        Assert.NotNull(barrier);
        var survivor = Assert.Single(await harness.Store.GetBySubjectAsync("alice", default));
        Assert.Contains(survivor.Id, keys.Select(SessionKeys.StorageIdFor));
    }

    [Fact]
    public async Task A_sign_in_that_fails_after_its_session_was_saved_leaves_no_live_session()
    {
        using var harness = new SessionHarness(
            replace: services => services.AddSingleton<ISessionStore>(sp =>
                new UnlistableStore(ActivatorUtilities.CreateInstance<InMemorySessionStore>(sp))));

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() =>
            harness.TicketStore.StoreAsync(SessionHarness.Ticket("alice"), SessionHarness.Request(), CancellationToken.None));

        // No cookie names it, so nobody could ever use or end it: it is ended at once, with its audit.
        Assert.Equal(0, await harness.Store.CountAsync(default));
        var events = await harness.Trail.GetRecentAsync("alice", default);
        Assert.Contains(events, e => e.Kind == AuditEventKinds.Ended);
    }

    /// <summary>
    /// Lists a user's sessions only once every party has saved, and answers only once every party has read: each sees
    /// every save and no end.
    /// </summary>
    private sealed class BarrierStore(ISessionStore inner, int parties) : DelegatingSessionStore(inner)
    {
        private readonly Barrier _saved = new(parties);
        private readonly Barrier _read = new(parties);

        public override async Task<IReadOnlyList<SessionRecord>> GetBySubjectAsync(string subject, CancellationToken cancellationToken)
        {
            await _saved.ArriveAsync();
            var sessions = await base.GetBySubjectAsync(subject, cancellationToken);
            await _read.ArriveAsync();
            return sessions;
        }

        private sealed class Barrier(int parties)
        {
            private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private int _arrived;

            public Task ArriveAsync()
            {
                if (Interlocked.Increment(ref _arrived) >= parties)
                {
                    _all.TrySetResult();
                }

                return _all.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
    }

    /// <summary>Saves, then cannot list the user's sessions (the session limit's check fails after the save).</summary>
    private sealed class UnlistableStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        public override Task<IReadOnlyList<SessionRecord>> GetBySubjectAsync(string subject, CancellationToken cancellationToken) =>
            throw new SessionStoreUnavailableException("The test's store cannot list sessions.");
    }
}
