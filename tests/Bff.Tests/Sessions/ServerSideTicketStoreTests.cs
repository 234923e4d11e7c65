using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Sessions;

/// <summary>Idle and absolute limits as the cookie's ticket store enforces them, on a fake clock.</summary>
public sealed class ServerSideTicketStoreTests : IDisposable
{
    private readonly SessionHarness _harness = new(options =>
    {
        options.Session.IdleTimeout = TimeSpan.FromMinutes(15);
        options.Session.AbsoluteLifetime = TimeSpan.FromHours(1);
    });

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_new_session_expires_after_the_idle_timeout_and_records_where_it_came_from()
    {
        // The edge has already put the client a trusted proxy named in place of the peer (see ClientAddressResolverTests).
        var request = SessionHarness.Request(userAgent: SessionHarness.Chrome, ip: "203.0.113.50");
        var (_, session) = await _harness.SignInAsync("alice", "sid-7", request);

        var now = _harness.Time.GetUtcNow();
        Assert.Equal(now, session.CreatedAt);
        Assert.Equal(now, session.LastActivityAt);
        Assert.Equal(now.AddMinutes(15), session.ExpiresAt);
        Assert.Equal(now.AddHours(1), session.AbsoluteExpiresAt);
        Assert.Equal("sid-7", session.ProviderSessionId);
        Assert.Equal("203.0.113.50", session.IpAddress);
        Assert.Equal("Chrome on Linux", UserAgentLabel.For(session.UserAgent));
        Assert.NotEqual(session.Id, session.PublicId);

        var created = Assert.Single(await _harness.Trail.GetRecentAsync("alice", default));
        Assert.Equal(AuditEventKinds.Created, created.Kind);
        Assert.Equal(session.PublicId, created.SessionId);
        Assert.Equal("Chrome on Linux", created.Device);
        Assert.Equal("203.0.113.50", created.IpAddress);
    }

    [Fact]
    public async Task More_sessions_than_it_remembers_storage_ids_for_all_still_read_and_a_signed_out_key_reads_as_none()
    {
        var keys = new List<string>();
        for (var i = 0; i < ServerSideTicketStore.MaxRememberedIds + 5; i++)
        {
            keys.Add((await _harness.SignInAsync("user-" + i)).Key);
        }

        for (var i = 0; i < keys.Count; i++)
        {
            var ticket = await _harness.TicketStore.RetrieveAsync(keys[i], SessionHarness.Request(), default);
            Assert.Equal("user-" + i, ticket?.Principal.FindFirst("sub")?.Value);
        }

        // Remembered a moment ago; the sign-out forgets it, and the store no longer has the session.
        await _harness.TicketStore.RemoveAsync(keys[^1], SessionHarness.Request(), default);
        Assert.Null(await _harness.TicketStore.RetrieveAsync(keys[^1], SessionHarness.Request(), default));
        Assert.NotNull(await _harness.TicketStore.RetrieveAsync(keys[0], SessionHarness.Request(), default));
    }

    [Fact]
    public async Task A_request_slides_the_idle_timeout()
    {
        var (key, _) = await _harness.SignInAsync();

        await _harness.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.NotNull(await _harness.TicketStore.RetrieveAsync(key, SessionHarness.Request(), default));

        var session = await _harness.SessionAsync(key);
        Assert.Equal(_harness.Time.GetUtcNow(), session!.LastActivityAt);
        Assert.Equal(_harness.Time.GetUtcNow().AddMinutes(15), session.ExpiresAt);

        // Past the first idle deadline, but within the slid one.
        await _harness.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.NotNull(await _harness.TicketStore.RetrieveAsync(key, SessionHarness.Request(), default));
    }

    [Fact]
    public async Task A_request_with_slide_false_does_not_slide()
    {
        var (key, created) = await _harness.SignInAsync();

        await _harness.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.NotNull(await _harness.TicketStore.RetrieveAsync(key, SessionHarness.Request("?slide=false"), default));
        var session = await _harness.SessionAsync(key);
        Assert.Equal(created.LastActivityAt, session!.LastActivityAt);
        Assert.Equal(created.ExpiresAt, session.ExpiresAt);

        await _harness.AdvanceAsync(TimeSpan.FromMinutes(5));
        var context = SessionHarness.Request("?slide=false");
        Assert.Null(await _harness.TicketStore.RetrieveAsync(key, context, default));
        Assert.Equal(SessionEndReason.IdleTimeout.ToString(), context.Features.Get<EndedSessionFeature>()?.Reason);
    }

    [Fact]
    public async Task Activity_within_the_granularity_is_not_written()
    {
        var (key, created) = await _harness.SignInAsync();

        await _harness.AdvanceAsync(TimeSpan.FromSeconds(20));
        await _harness.TicketStore.RetrieveAsync(key, SessionHarness.Request(), default);

        Assert.Equal(created.ExpiresAt, (await _harness.SessionAsync(key))!.ExpiresAt);
    }

    [Fact]
    public async Task Sliding_never_passes_the_absolute_lifetime()
    {
        var (key, created) = await _harness.SignInAsync();

        for (var i = 0; i < 5; i++)
        {
            await _harness.AdvanceAsync(TimeSpan.FromMinutes(11));
            Assert.NotNull(await _harness.TicketStore.RetrieveAsync(key, SessionHarness.Request(), default));
        }

        // 55 minutes in: the idle deadline would be 70 minutes, the absolute one caps it at 60.
        var session = await _harness.SessionAsync(key);
        Assert.Equal(created.AbsoluteExpiresAt, session!.ExpiresAt);

        await _harness.AdvanceAsync(TimeSpan.FromMinutes(5));
        var context = SessionHarness.Request();
        Assert.Null(await _harness.TicketStore.RetrieveAsync(key, context, default));
        Assert.Equal(SessionEndReason.AbsoluteLifetime.ToString(), context.Features.Get<EndedSessionFeature>()?.Reason);
        Assert.Null(await _harness.SessionAsync(key));
    }

    [Fact]
    public async Task An_idle_session_ends_with_its_reason_audited_and_told_once()
    {
        var (key, created) = await _harness.SignInAsync();

        await _harness.AdvanceAsync(TimeSpan.FromMinutes(15));
        var first = SessionHarness.Request();
        Assert.Null(await _harness.TicketStore.RetrieveAsync(key, first, default));
        Assert.Equal("Your session timed out after a period of inactivity.", first.Features.Get<EndedSessionFeature>()?.Message);

        var events = await _harness.Trail.GetRecentAsync("alice", default);
        Assert.Equal([AuditEventKinds.Ended, AuditEventKinds.Created], events.Select(e => e.Kind));
        Assert.Equal(nameof(SessionEndReason.IdleTimeout), events[0].Reason);
        Assert.Equal(created.PublicId, events[0].SessionId);

        // Until a 401 has told it, later requests (the SPA's HTML) still carry the reason.
        var page = SessionHarness.Request();
        Assert.Null(await _harness.TicketStore.RetrieveAsync(key, page, default));
        await page.Features.Get<EndedSessionFeature>()!.ToldAsync(default);

        var second = SessionHarness.Request();
        Assert.Null(await _harness.TicketStore.RetrieveAsync(key, second, default));
        Assert.Null(second.Features.Get<EndedSessionFeature>());
    }

    [Fact]
    public async Task A_session_ended_elsewhere_tells_its_browser_why()
    {
        var (key, session) = await _harness.SignInAsync();
        await _harness.Get<SessionTerminator>().EndAsync(session.Id, SessionEndReason.EndedFromOtherSession);

        var context = SessionHarness.Request();
        Assert.Null(await _harness.TicketStore.RetrieveAsync(key, context, default));
        Assert.Equal(nameof(SessionEndReason.EndedFromOtherSession), context.Features.Get<EndedSessionFeature>()?.Reason);
    }

    [Fact]
    public async Task A_session_ended_elsewhere_between_its_read_and_its_activity_write_is_not_served()
    {
        using var harness = RacingHarness(out var store);
        var (key, session) = await harness.SignInAsync();
        await harness.AdvanceAsync(TimeSpan.FromMinutes(5));
        // Another instance signs the user out everywhere after this request read the session, before it slid it.
        store.BeforeTouch = id => harness.Get<SessionTerminator>().EndAsync(id, SessionEndReason.SignOutEverywhere);

        var context = SessionHarness.Request();
        Assert.Null(await harness.TicketStore.RetrieveAsync(key, context, default));

        // No ticket, so no request served and no Bff-Session-Expires-In for a session that is gone; the browser learns why.
        Assert.Null(CurrentSession.Of(context));
        Assert.Equal(nameof(SessionEndReason.SignOutEverywhere), context.Features.Get<EndedSessionFeature>()?.Reason);
        Assert.Null(await harness.Store.GetAsync(session.Id, default));
    }

    [Fact]
    public async Task A_session_that_expires_between_its_read_and_its_activity_write_ends_with_its_reason()
    {
        using var harness = RacingHarness(out var store);
        // Between the store's once-a-minute sweeps, so nothing but this request can end the session.
        await harness.AdvanceAsync(TimeSpan.FromSeconds(30));
        var (key, session) = await harness.SignInAsync();
        await harness.AdvanceAsync(TimeSpan.FromMinutes(14) + TimeSpan.FromSeconds(50));
        store.BeforeTouch = _ =>
        {
            harness.Time.Advance(TimeSpan.FromSeconds(20));
            return Task.CompletedTask;
        };

        var context = SessionHarness.Request();
        Assert.Null(await harness.TicketStore.RetrieveAsync(key, context, default));

        Assert.Null(CurrentSession.Of(context));
        Assert.Equal(nameof(SessionEndReason.IdleTimeout), context.Features.Get<EndedSessionFeature>()?.Reason);
        Assert.Null(await harness.Store.GetAsync(session.Id, default));
        var ended = (await harness.Trail.GetRecentAsync("alice", default))[0];
        Assert.Equal((AuditEventKinds.Ended, nameof(SessionEndReason.IdleTimeout)), (ended.Kind, ended.Reason));
    }

    private static SessionHarness RacingHarness(out RacingStore store)
    {
        RacingStore? created = null;
        var harness = new SessionHarness(
            options => options.Session.IdleTimeout = TimeSpan.FromMinutes(15),
            services => services.AddSingleton<ISessionStore>(sp => created = new RacingStore(ActivatorUtilities.CreateInstance<InMemorySessionStore>(sp))));
        _ = harness.Store; // built now, so the test holds the store the ticket store uses
        store = created!;
        return harness;
    }

    /// <summary>Runs <see cref="BeforeTouch"/> between a request's read of its session and its activity write.</summary>
    private sealed class RacingStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        public Func<string, Task>? BeforeTouch { get; set; }

        public override async Task<SessionRecord?> TouchAsync(string id, DateTimeOffset lastActivityAt, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        {
            if (BeforeTouch is { } race)
            {
                await race(id);
            }

            return await base.TouchAsync(id, lastActivityAt, expiresAt, cancellationToken);
        }
    }

    // A save whose reply was lost (Redis stalled past the deadline, or the browser left) may still have been stored:
    // the sign-in fails, and the session it may have made is ended again, so no session nobody holds stays live.
    [Fact]
    public async Task A_save_that_failed_after_it_was_stored_leaves_no_live_session()
    {
        using var harness = new SessionHarness(
            options => options.Session.IdleTimeout = TimeSpan.FromMinutes(15),
            services => services.AddSingleton<ISessionStore>(sp => new LostSaveReplyStore(ActivatorUtilities.CreateInstance<InMemorySessionStore>(sp))));

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => harness.SignInAsync("alice"));

        Assert.Empty(await harness.Store.GetBySubjectAsync("alice", CancellationToken.None));
        var ended = Assert.Single(await harness.Trail.GetRecentAsync("alice", default), e => e.Kind == AuditEventKinds.Ended);
        Assert.Equal(nameof(SessionEndReason.Replaced), ended.Reason);
    }

    /// <summary>Stores the session, then fails as a save whose reply never came.</summary>
    private sealed class LostSaveReplyStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        public override async Task SaveAsync(SessionRecord session, CancellationToken cancellationToken)
        {
            await base.SaveAsync(session, cancellationToken);
            throw new SessionStoreUnavailableException("Redis did not answer session save.", new TimeoutException());
        }
    }

    [Fact]
    public async Task Every_sign_in_gets_a_new_key_and_public_id()
    {
        var (key1, one) = await _harness.SignInAsync();
        var (key2, two) = await _harness.SignInAsync();

        Assert.NotEqual(key1, key2);
        Assert.NotEqual(one.PublicId, two.PublicId);
        Assert.Equal(2, (await _harness.Store.GetBySubjectAsync("alice", default)).Count);
    }
}
