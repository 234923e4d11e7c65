using Microsoft.Extensions.Time.Testing;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Bff.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisSessionStoreTests : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Absolute = TimeSpan.FromHours(1);

    private readonly RedisFixture _redis;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly RedisConnection _connection;
    private readonly RedisSessionStore _store;
    private readonly SessionPolicy _policy = new(Options.Create(new BffOptions
    {
        Session = new SessionOptions { IdleTimeout = Idle, AbsoluteLifetime = Absolute },
    }));

    public RedisSessionStoreTests(RedisFixture redis)
    {
        _redis = redis;
        _connection = redis.Connect(RedisFixture.NewPrefix());
        _store = new RedisSessionStore(_connection, _clock, NullLogger<RedisSessionStore>.Instance);
    }

    public void Dispose() => _connection.Dispose();

    private IDatabase Inspect => _redis.Inspect;

    private SessionRecord NewSession(string subject = "alice", string? sid = "sid-1")
    {
        var now = _clock.GetUtcNow();
        var absolute = _policy.AbsoluteExpiry(now);
        return new SessionRecord
        {
            Id = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32)),
            PublicId = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)),
            Subject = subject,
            ProviderSessionId = sid,
            CreatedAt = now,
            LastActivityAt = now,
            AbsoluteExpiresAt = absolute,
            ExpiresAt = _policy.Expiry(now, absolute),
            UserAgent = "test",
            IpAddress = "127.0.0.1",
            Ticket = RandomNumberGenerator.GetBytes(600),
        };
    }

    private async Task<TimeSpan> TtlAsync(string storageId) =>
        await Inspect.KeyTimeToLiveAsync(_connection.Keys.Session(storageId)) ?? throw new InvalidOperationException("no TTL");

    [Theory]
    [InlineData(null)]
    [InlineData("resp2")]
    [InlineData("resp3")]
    public async Task Create_read_renew_and_remove(string? protocol)
    {
        // The client speaks RESP3 where the server does; an operator may force RESP2 (protocol=resp2), e.g. for a proxy.
        using var connection = protocol is null ? null : RedisFixture.Connect($"{_redis.Server.ConnectionString},protocol={protocol}", _connection.Keys.Prefix);
        var store = connection is null ? _store : new RedisSessionStore(connection, _clock, NullLogger<RedisSessionStore>.Instance);
        var session = NewSession();
        await store.SaveAsync(session, CancellationToken.None);
        var multiplexer = await (connection ?? _connection).RunAsync("test", db => Task.FromResult(db.Multiplexer), CancellationToken.None);
        Assert.Equal(protocol == "resp2" ? RedisProtocol.Resp2 : RedisProtocol.Resp3, multiplexer.GetServer(multiplexer.GetEndPoints()[0]).Protocol);

        var read = await store.GetAsync(session.Id, CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(session with { Ticket = read.Ticket }, read);
        Assert.Equal(session.Ticket, read.Ticket);
        Assert.Equal(new SessionState(session.Stamp, session.LastActivityAt, session.ExpiresAt), await store.GetStateAsync(session.Id, CancellationToken.None));
        var later = _clock.GetUtcNow().AddMinutes(1);
        Assert.Equal(later, (await store.TouchAsync(session.Id, later, session.ExpiresAt, CancellationToken.None))!.LastActivityAt);

        var ticket = RandomNumberGenerator.GetBytes(700);
        var renewed = await store.ReplaceTicketAsync(session.Id, ticket, CancellationToken.None);
        Assert.Equal(ticket, renewed!.Ticket);
        Assert.Equal(session.ExpiresAt, renewed.ExpiresAt);
        Assert.Equal(ticket, (await store.GetAsync(session.Id, CancellationToken.None))!.Ticket);

        var removed = await store.RemoveAsync(session.Id, CancellationToken.None);
        Assert.Equal(session.PublicId, removed!.PublicId);
        Assert.Null(await store.GetAsync(session.Id, CancellationToken.None));
        Assert.Null(await store.RemoveAsync(session.Id, CancellationToken.None));
        Assert.Empty(await store.GetBySubjectAsync("alice", CancellationToken.None));
        Assert.Empty(await store.GetByProviderSessionAsync("sid-1", CancellationToken.None));
        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Subject("alice")));
    }

    [Fact]
    public async Task A_fenced_ticket_replace_writes_only_over_the_stamp_it_was_given()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);

        Assert.Null(await _store.ReplaceTicketAsync(session.Id, [9], session.Stamp + 1, CancellationToken.None));
        Assert.Equal(session.Ticket, (await _store.GetAsync(session.Id, CancellationToken.None))!.Ticket);

        var replaced = await _store.ReplaceTicketAsync(session.Id, [7], session.Stamp, CancellationToken.None);
        Assert.Equal([7], replaced!.Ticket);
        Assert.NotEqual(session.Stamp, replaced.Stamp);
        // A second writer that read the same stamp comes too late.
        Assert.Null(await _store.ReplaceTicketAsync(session.Id, [8], session.Stamp, CancellationToken.None));
        Assert.Equal([7], (await _store.GetAsync(session.Id, CancellationToken.None))!.Ticket);
    }

    [Fact]
    public async Task Unknown_session_is_null()
    {
        Assert.Null(await _store.GetAsync("nope", CancellationToken.None));
        Assert.Null(await _store.TouchAsync("nope", _clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(5), CancellationToken.None));
        Assert.Null(await _store.ReplaceTicketAsync("nope", [1], CancellationToken.None));
        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Session("nope")));
    }

    [Fact]
    public async Task Ttl_follows_the_idle_limit_then_the_absolute_limit()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);
        // Redis keeps the record a grace period past its expiry, so it can still be ended with its reason.
        var grace = _store.ExpiredGrace;
        Assert.InRange(await TtlAsync(session.Id), Idle + grace - TimeSpan.FromSeconds(5), Idle + grace);

        // 50 minutes of activity later the absolute limit (60 min) is sooner than the idle one.
        SessionRecord? touched = session;
        SessionRecord active = session;
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(10));
            active = _policy.RecordActivity(touched!, _clock.GetUtcNow())!;
            touched = await _store.TouchAsync(session.Id, active.LastActivityAt, active.ExpiresAt, CancellationToken.None);
        }

        Assert.Equal(session.AbsoluteExpiresAt, active.ExpiresAt);

        Assert.Equal(active.ExpiresAt, touched!.ExpiresAt);
        Assert.Equal(session.Ticket, touched.Ticket);
        Assert.InRange(await TtlAsync(session.Id), TimeSpan.FromMinutes(10) + grace - TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10) + grace);

        // Each index outlives its session whatever the activity: it lives to the absolute limit plus the grace, so
        // a session Redis holds is never missing from its indexes. (Redis counts TTLs in real time; here only the
        // fake clock moved.)
        foreach (var index in new[] { _connection.Keys.Subject("alice"), _connection.Keys.ProviderSession("sid-1") })
        {
            var indexTtl = (await Inspect.KeyTimeToLiveAsync(index))!.Value;
            Assert.InRange(indexTtl, Absolute + grace - TimeSpan.FromSeconds(5), Absolute + grace + RedisSessionStore.IndexMargin);
            Assert.True(indexTtl > await TtlAsync(session.Id) + TimeSpan.FromSeconds(30), $"index {indexTtl} against session {await TtlAsync(session.Id)}");
        }
    }

    [Fact]
    public async Task A_session_past_its_expiry_is_kept_for_its_owner_but_never_listed_or_revived()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);

        _clock.Advance(Idle);

        // The owner's next request reads it, sees it expired and ends it with its reason.
        Assert.Equal(session.ExpiresAt, (await _store.GetAsync(session.Id, CancellationToken.None))?.ExpiresAt);
        Assert.Null(await _store.ReplaceTicketAsync(session.Id, [9], CancellationToken.None));
        Assert.Empty(await _store.GetBySubjectAsync("alice", CancellationToken.None));
        Assert.Null(await _store.TouchAsync(session.Id, _clock.GetUtcNow(), _clock.GetUtcNow(), CancellationToken.None));
    }

    [Fact]
    public async Task Redis_drops_the_session_when_its_ttl_runs_out()
    {
        var store = new RedisSessionStore(_connection, _clock, NullLogger<RedisSessionStore>.Instance) { ExpiredGrace = TimeSpan.Zero };
        var session = NewSession() with { ExpiresAt = _clock.GetUtcNow().AddMilliseconds(150) };
        await store.SaveAsync(session, CancellationToken.None);
        Assert.True(await Inspect.KeyExistsAsync(_connection.Keys.Session(session.Id)));

        await Polling.UntilAsync(() => Inspect.KeyExistsAsync(_connection.Keys.Session(session.Id)), exists => !exists, TimeSpan.FromSeconds(3));
        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Session(session.Id)));
    }

    [Fact]
    public async Task Updating_an_ended_session_never_brings_it_back()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);
        await _store.RemoveAsync(session.Id, CancellationToken.None);

        Assert.Null(await _store.ReplaceTicketAsync(session.Id, [1, 2, 3], CancellationToken.None));
        Assert.Null(await _store.TouchAsync(session.Id, _clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(15), CancellationToken.None));
        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Session(session.Id)));
    }

    [Fact]
    public async Task A_removal_under_way_completes_when_its_caller_gives_up()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);

        using var caller = new CancellationTokenSource();
        var removing = _store.RemoveAsync(session.Id, caller.Token);
        // The take is on its way to Redis: the caller leaving now must not leave the session's entries behind.
        await caller.CancelAsync();

        Assert.Equal(session.PublicId, (await removing)?.PublicId);
        await AssertGoneWithItsEntriesAsync(session);
    }

    [Fact]
    public async Task A_sweep_take_under_way_completes_when_the_sweeper_stops()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);
        _clock.Advance(Idle);

        using var stopping = new CancellationTokenSource();
        var taking = _store.EndExpiredAsync(session.Id, stopping.Token);
        await stopping.CancelAsync();

        Assert.Equal(session.PublicId, (await taking)?.PublicId);
        await AssertGoneWithItsEntriesAsync(session);
    }

    [Fact]
    public async Task A_removal_cancelled_before_it_begins_leaves_the_session_as_it_was()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.RemoveAsync(session.Id, new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.EndExpiredAsync(session.Id, new CancellationToken(canceled: true)));

        Assert.Equal(session.Id, Assert.Single(await _store.GetBySubjectAsync("alice", CancellationToken.None)).Id);
        Assert.NotNull(await Inspect.SortedSetScoreAsync(_connection.Keys.ExpiryBucketOf(session.Id), session.Id));
    }

    [Fact]
    public async Task A_removal_whose_index_cleanup_fails_still_answers_the_removed_session()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);
        // Redis refuses the cleanup after the take: the sid index is no longer a sorted set (ZREM answers WRONGTYPE).
        await Inspect.KeyDeleteAsync(_connection.Keys.ProviderSession(session.ProviderSessionId!));
        await Inspect.StringSetAsync(_connection.Keys.ProviderSession(session.ProviderSessionId!), "not a sorted set");

        var removed = await _store.RemoveAsync(session.Id, CancellationToken.None);

        // The session is gone, so its end must be reported (revocation, reason, audit): the caller gets the record.
        Assert.Equal(session.PublicId, removed?.PublicId);
        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Session(session.Id)));
        Assert.Null(await _store.GetAsync(session.Id, CancellationToken.None));
        Assert.Empty(await _store.GetBySubjectAsync(session.Subject, CancellationToken.None));
    }

    private async Task AssertGoneWithItsEntriesAsync(SessionRecord session)
    {
        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Session(session.Id)));
        Assert.Null(await Inspect.SortedSetScoreAsync(_connection.Keys.Subject(session.Subject), session.Id));
        Assert.Null(await Inspect.SortedSetScoreAsync(_connection.Keys.ProviderSession(session.ProviderSessionId!), session.Id));
        Assert.Null(await Inspect.SortedSetScoreAsync(_connection.Keys.ExpiryBucketOf(session.Id), session.Id));
    }

    [Fact]
    public async Task Sessions_are_found_by_subject_and_provider_session()
    {
        var a1 = NewSession("alice", "sid-a");
        var a2 = NewSession("alice", "sid-b");
        var b1 = NewSession("bob", "sid-b");
        var noSid = NewSession("alice", sid: null);
        foreach (var s in new[] { a1, a2, b1, noSid })
        {
            await _store.SaveAsync(s, CancellationToken.None);
        }

        Assert.Equal(new[] { a1.Id, a2.Id, noSid.Id }.Order(), (await _store.GetBySubjectAsync("alice", CancellationToken.None)).Select(s => s.Id).Order());
        Assert.Equal(new[] { a2.Id, b1.Id }.Order(), (await _store.GetByProviderSessionAsync("sid-b", CancellationToken.None)).Select(s => s.Id).Order());
        Assert.Empty(await _store.GetBySubjectAsync("carol", CancellationToken.None));
    }

    [Fact]
    public async Task Lookups_read_every_session_of_a_busy_user_without_its_ticket()
    {
        // The list, the session limit at every sign-in, sign-out everywhere and back-channel logout need each
        // session's facts, never its tokens: thousands of sessions are read without the encrypted ticket.
        var sessions = Enumerable.Range(0, 2500).Select(_ => NewSession("busy", "sid-busy") with { Ticket = RandomNumberGenerator.GetBytes(1700) }).ToList();
        foreach (var chunk in sessions.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(s => _store.SaveAsync(s, CancellationToken.None)));
        }

        var saved = sessions.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        foreach (var lookup in new[] { _store.GetBySubjectAsync("busy", CancellationToken.None), _store.GetByProviderSessionAsync("sid-busy", CancellationToken.None) })
        {
            var listed = (await lookup).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
            Assert.Equal(saved.Count, listed.Count);
            Assert.All(saved.Zip(listed), pair =>
            {
                Assert.Empty(pair.Second.Ticket);
                Assert.Equal(pair.First with { Ticket = pair.Second.Ticket }, pair.Second);
            });
        }

        // The ticket is read by id, for the one session that needs it.
        Assert.Equal(sessions[0].Ticket, (await _store.GetAsync(sessions[0].Id, CancellationToken.None))!.Ticket);
    }

    [Fact]
    public async Task An_index_entry_whose_session_vanished_is_never_listed_and_goes_when_its_absolute_expiry_passes()
    {
        var vanished = NewSession();
        await _store.SaveAsync(vanished, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(50));
        var kept = NewSession();
        await _store.SaveAsync(kept, CancellationToken.None);

        // As if Redis evicted or expired the session key on its own.
        await Inspect.KeyDeleteAsync(_connection.Keys.Session(vanished.Id));

        Assert.Equal(kept.Id, Assert.Single(await _store.GetBySubjectAsync("alice", CancellationToken.None)).Id);
        // A missing session may be one being saved (its entries are written first): a read leaves its entry.
        await _connection.PingAsync(CancellationToken.None);
        Assert.Equal(2, await Inspect.SortedSetLengthAsync(_connection.Keys.Subject("alice")));

        // Past the vanished session's absolute expiry (kept is still live), the next read prunes its entry.
        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(kept.Id, Assert.Single(await _store.GetBySubjectAsync("alice", CancellationToken.None)).Id);
        await _connection.PingAsync(CancellationToken.None);
        Assert.Equal(kept.Id, (string)Assert.Single(await Inspect.SortedSetRangeByRankAsync(_connection.Keys.Subject("alice")))!);
    }

    [Fact]
    public async Task Every_index_outlives_every_session_it_lists_through_saves_and_activity()
    {
        // An index key that expires first (or together, as with its session's own TTL) is what an eviction policy
        // taking the shortest TTLs first removes first: its sessions stay live but no lookup finds them, so sign-out
        // everywhere, back-channel logout, the session limit and the list miss them. Thousands of sign-ins, each its
        // own provider session, three per user, with absolute limits from one to eight hours.
        var sessions = Enumerable.Range(0, 3000).Select(i =>
        {
            var session = NewSession("user" + (i / 3), "sid" + i);
            var absolute = session.CreatedAt + TimeSpan.FromMinutes(60 + (i * 7 % 420));
            return session with { AbsoluteExpiresAt = absolute, ExpiresAt = _policy.Expiry(session.CreatedAt, absolute) };
        }).ToList();
        foreach (var chunk in sessions.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(s => _store.SaveAsync(s, CancellationToken.None)));
        }

        // A user's index as an older version wrote it, with only its sessions' TTL: the next activity lengthens it.
        await Inspect.KeyExpireAsync(_connection.Keys.Subject("user0"), Idle + _store.ExpiredGrace);

        // Time passes and most sessions see activity, sliding their idle limit (or reaching their absolute one).
        _clock.Advance(TimeSpan.FromMinutes(10));
        var now = _clock.GetUtcNow();
        await Parallel.ForEachAsync(sessions.Where((_, i) => i % 4 != 3), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (s, _) =>
        {
            var active = _policy.RecordActivity(s, now)!;
            Assert.NotNull(await _store.TouchAsync(s.Id, active.LastActivityAt, active.ExpiresAt, CancellationToken.None));
        });
        await _connection.PingAsync(CancellationToken.None);

        var ttls = await Task.WhenAll(sessions.Select(async s => (
            Session: await Inspect.KeyTimeToLiveAsync(_connection.Keys.Session(s.Id)),
            Subject: await Inspect.KeyTimeToLiveAsync(_connection.Keys.Subject(s.Subject)),
            ProviderSession: await Inspect.KeyTimeToLiveAsync(_connection.Keys.ProviderSession(s.ProviderSessionId!)))));
        var outlived = ttls.Count(t => t.Subject <= t.Session + TimeSpan.FromSeconds(30) || t.ProviderSession <= t.Session + TimeSpan.FromSeconds(30));
        Assert.True(outlived == 0, $"{outlived} of {sessions.Count} sessions would outlive one of their index keys");
        // Never longer than needed: the longest-lived session's absolute limit, the grace and the margin.
        Assert.All(sessions.Zip(ttls), pair => Assert.True(pair.Second.ProviderSession <= pair.First.AbsoluteExpiresAt - sessions[0].CreatedAt + _store.ExpiredGrace + RedisSessionStore.IndexMargin));
    }

    [Fact]
    public async Task A_full_redis_without_eviction_refuses_new_sessions_and_keeps_every_one_it_holds()
    {
        // The recommended noeviction: Redis at its maxmemory refuses writes (answered 503), and no session is lost.
        await using var server = await Testing.RedisServer.StartAsync();
        using (var admin = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true"))
        {
            var settings = admin.GetServer(admin.GetEndPoints()[0]);
            await settings.ConfigSetAsync("maxmemory", "4mb");
            await settings.ConfigSetAsync("maxmemory-policy", "noeviction");
        }

        using var connection = RedisFixture.Connect(server.ConnectionString, "full:");
        var store = new RedisSessionStore(connection, _clock, NullLogger<RedisSessionStore>.Instance);
        var saved = new List<SessionRecord>();
        SessionStoreUnavailableException? refused = null;
        for (var i = 0; i < 20_000 && refused is null; i++)
        {
            var session = NewSession("user" + (i / 3), "sid" + i) with { Ticket = new byte[1500] };
            try
            {
                await store.SaveAsync(session, CancellationToken.None);
                saved.Add(session);
            }
            catch (SessionStoreUnavailableException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("OOM", refused.InnerException?.Message, StringComparison.Ordinal);
        Assert.True(saved.Count > 500, $"{saved.Count} sessions saved");
        // Every session saved is still there, and found by its user and its provider session.
        foreach (var user in saved.GroupBy(s => s.Subject))
        {
            Assert.Equal(user.Select(s => s.Id).Order(), (await store.GetBySubjectAsync(user.Key, CancellationToken.None)).Select(s => s.Id).Order());
            foreach (var session in user)
            {
                Assert.Equal(session.Id, Assert.Single(await store.GetByProviderSessionAsync(session.ProviderSessionId!, CancellationToken.None)).Id);
            }
        }

        // Ending a session frees memory and needs none.
        Assert.Equal(saved[0].Id, (await store.RemoveAsync(saved[0].Id, CancellationToken.None))?.Id);
    }

    [Fact]
    public async Task Sessions_saved_while_their_index_is_read_all_stay_in_it()
    {
        // A save writes the index entries, then the session; a lookup in between sees an entry without a
        // session. Sessions are saved while lookups of the same user and provider session run without pause.
        const int count = 3000;
        var sessions = Enumerable.Range(0, count).Select(_ => NewSession("busy", "sid-busy")).ToList();
        using var saved = new CancellationTokenSource();
        var lookups = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var rounds = 0;
            while (!saved.IsCancellationRequested)
            {
                await _store.GetBySubjectAsync("busy", CancellationToken.None);
                await _store.GetByProviderSessionAsync("sid-busy", CancellationToken.None);
                rounds++;
            }

            return rounds;
        })).ToList();

        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (session, _) => await _store.SaveAsync(session, CancellationToken.None));
        await saved.CancelAsync();
        Assert.All(await Task.WhenAll(lookups), rounds => Assert.True(rounds > 0));
        // Pruning is fire and forget: an answer on the same connection comes after every prune sent before it.
        await _connection.PingAsync(CancellationToken.None);

        var expected = sessions.Select(s => s.Id).Order().ToList();
        Assert.Equal(expected, (await Inspect.SortedSetRangeByRankAsync(_connection.Keys.Subject("busy"))).Select(v => (string)v!).Order());
        Assert.Equal(expected, (await Inspect.SortedSetRangeByRankAsync(_connection.Keys.ProviderSession("sid-busy"))).Select(v => (string)v!).Order());
        Assert.Equal(expected, (await _store.GetBySubjectAsync("busy", CancellationToken.None)).Select(s => s.Id).Order());
    }

    [Fact]
    public async Task Indexes_stay_consistent_under_concurrent_writes()
    {
        var sessions = Enumerable.Range(0, 60).Select(i => NewSession("concurrent", "sid-" + (i % 3))).ToList();

        await Task.WhenAll(sessions.Select(s => Task.Run(() => _store.SaveAsync(s, CancellationToken.None))));

        // Concurrently: end every other session (twice, from two "instances"), touch and renew all of them.
        var later = _clock.GetUtcNow().AddMinutes(1);
        var work = sessions.SelectMany((s, i) => i % 2 == 0
            ? new Func<Task>[]
            {
                () => _store.RemoveAsync(s.Id, CancellationToken.None),
                () => _store.RemoveAsync(s.Id, CancellationToken.None),
                () => _store.TouchAsync(s.Id, later, later + Idle, CancellationToken.None),
                () => _store.ReplaceTicketAsync(s.Id, [7], CancellationToken.None),
            }
            : new Func<Task>[]
            {
                () => _store.TouchAsync(s.Id, later, later + Idle, CancellationToken.None),
                () => _store.ReplaceTicketAsync(s.Id, [7], CancellationToken.None),
                () => _store.SaveAsync(s, CancellationToken.None),
            });
        await Task.WhenAll(work.Select(w => Task.Run(w)));

        var survivors = sessions.Where((_, i) => i % 2 == 1).Select(s => s.Id).Order().ToList();
        var existing = new List<string>();
        foreach (var s in sessions)
        {
            if (await Inspect.KeyExistsAsync(_connection.Keys.Session(s.Id)))
            {
                existing.Add(s.Id);
            }
        }

        Assert.Equal(survivors, existing.Order());
        var bySubject = (await Inspect.SortedSetRangeByRankAsync(_connection.Keys.Subject("concurrent"))).Select(v => (string)v!);
        Assert.Equal(survivors, bySubject.Order());
        var bySid = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            bySid.AddRange((await Inspect.SortedSetRangeByRankAsync(_connection.Keys.ProviderSession("sid-" + i))).Select(v => (string)v!));
        }

        Assert.Equal(survivors, bySid.Order());
        Assert.Equal(survivors, (await _store.GetBySubjectAsync("concurrent", CancellationToken.None)).Select(s => s.Id).Order());
    }

    [Fact]
    public async Task An_unreadable_record_is_treated_as_gone()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);
        await Inspect.HashSetAsync(_connection.Keys.Session(session.Id), RedisSessionFormat.MetaField, new byte[] { 99, 1, 2 });

        Assert.Null(await _store.GetAsync(session.Id, CancellationToken.None));
        Assert.Null(await _store.RemoveAsync(session.Id, CancellationToken.None));
        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Session(session.Id)));
    }

    [Fact]
    public async Task An_unreachable_redis_is_an_unavailable_store_not_a_missing_session()
    {
        using var nowhere = RedisFixture.Connect($"127.0.0.1:{Testing.FreePort.Next()},connectTimeout=300", "x:");
        var store = new RedisSessionStore(nowhere, _clock, NullLogger<RedisSessionStore>.Instance);

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.GetAsync("id", CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.SaveAsync(NewSession(), CancellationToken.None));
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.GetBySubjectAsync("alice", CancellationToken.None));
    }

    [Fact]
    public async Task Sessions_survive_a_redis_restart_with_aof()
    {
        await using var server = await Testing.RedisServer.StartAsync(appendOnly: true);
        using var connection = RedisFixture.Connect(server.ConnectionString, "aof:");
        var store = new RedisSessionStore(connection, _clock, NullLogger<RedisSessionStore>.Instance);
        var session = NewSession();
        await store.SaveAsync(session, CancellationToken.None);

        await server.StopAsync();
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.GetAsync(session.Id, CancellationToken.None));
        await server.StartAsync();

        var (read, _) = await Polling.UntilAsync(() => TryGetAsync(store, session.Id), s => s is not null, TimeSpan.FromSeconds(10));
        Assert.Equal(session.Ticket, read!.Ticket);
        Assert.Equal(session.Id, Assert.Single(await store.GetBySubjectAsync("alice", CancellationToken.None)).Id);
    }

    private static async Task<SessionRecord?> TryGetAsync(RedisSessionStore store, string id)
    {
        try
        {
            return await store.GetAsync(id, CancellationToken.None);
        }
        catch (SessionStoreUnavailableException)
        {
            return null;
        }
    }

    // A take whose reply is given up on (Redis stalled past the command deadline: a fork, an fsync, a failover) still
    // runs when Redis resumes. Its caller never reports the end, so the session's tombstone hands the record to the next
    // take once the taker's window has passed: a retry, or the sweeper at the session's expiry. Exactly once.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_take_whose_reply_was_given_up_on_is_handed_to_a_later_take_once(bool bySweeper)
    {
        using var impatient = RedisFixture.Connect(_redis.Server.ConnectionString + ",syncTimeout=500", _connection.Keys.Prefix);
        var store = new RedisSessionStore(impatient, _clock, NullLogger<RedisSessionStore>.Instance) { TakerWindow = TimeSpan.FromMinutes(1) };
        var session = NewSession();
        await store.SaveAsync(session, CancellationToken.None);

        await _redis.InspectServer.ExecuteAsync("CLIENT", "PAUSE", "1500", "WRITE");
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.RemoveAsync(session.Id, CancellationToken.None));
        var (stillThere, _) = await Polling.UntilAsync(() => Inspect.KeyExistsAsync(_connection.Keys.Session(session.Id)), exists => !exists, TimeSpan.FromSeconds(10));
        Assert.False(stillThere);
        Assert.True(await Inspect.KeyExistsAsync(_connection.Keys.Taken(session.Id)));

        // Within the taker's window (on Redis's clock from when the take ran; a minute here): nobody else takes it; a
        // retry is told to try again rather than "gone", and the sweeper leaves it; its entries stay.
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.RemoveAsync(session.Id, CancellationToken.None));
        Assert.Null(await store.EndExpiredAsync(session.Id, CancellationToken.None));
        Assert.NotNull(await Inspect.SortedSetScoreAsync(_connection.Keys.ExpiryBucketOf(session.Id), session.Id));
        Assert.NotNull(await Inspect.SortedSetScoreAsync(_connection.Keys.Subject(session.Subject), session.Id));

        // Still listed, from its tombstone: a retry of the end that failed (sign out everywhere) finds it.
        Assert.Equal(session.Id, Assert.Single(await store.GetBySubjectAsync(session.Subject, CancellationToken.None)).Id);
        Assert.Equal(session.Id, Assert.Single(await store.GetByProviderSessionAsync(session.ProviderSessionId!, CancellationToken.None)).Id);

        // Past the window (a store that allows none, rather than a wait for Redis's clock).
        store = new RedisSessionStore(impatient, _clock, NullLogger<RedisSessionStore>.Instance) { TakerWindow = TimeSpan.Zero };
        SessionRecord? taken;
        if (bySweeper)
        {
            _clock.Advance(Idle + TimeSpan.FromSeconds(1));
            Assert.Contains(session.Id, await store.ClaimExpiredAsync(RedisKeys.BucketOf(session.Id), 100, TimeSpan.FromMinutes(1), CancellationToken.None));
            taken = await store.EndExpiredAsync(session.Id, CancellationToken.None);
        }
        else
        {
            taken = await store.RemoveAsync(session.Id, CancellationToken.None);
        }

        Assert.Equal(session.Id, taken?.Id);
        Assert.Equal(session.Ticket, taken!.Ticket);
        Assert.Null(await store.RemoveAsync(session.Id, CancellationToken.None));
        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Taken(session.Id)));
        Assert.Null(await Inspect.SortedSetScoreAsync(_connection.Keys.ExpiryBucketOf(session.Id), session.Id));
        Assert.Null(await Inspect.SortedSetScoreAsync(_connection.Keys.Subject(session.Subject), session.Id));
        Assert.Empty(await store.GetBySubjectAsync(session.Subject, CancellationToken.None));
    }

    // A record the take cannot read (a field missing) is not reported, but its tombstone goes all the same: it is
    // neither listed nor taken again.
    [Fact]
    public async Task An_unreadable_session_that_is_taken_leaves_no_tombstone()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);
        await Inspect.HashDeleteAsync(_connection.Keys.Session(session.Id), "t");

        Assert.Null(await _store.RemoveAsync(session.Id, CancellationToken.None));

        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Taken(session.Id)));
        Assert.Empty(await _store.GetBySubjectAsync(session.Subject, CancellationToken.None));
    }

    // A take that hears back forgets the tombstone with the session's entries: no later take reports the session again.
    [Fact]
    public async Task A_take_that_hears_back_leaves_no_tombstone()
    {
        var session = NewSession();
        await _store.SaveAsync(session, CancellationToken.None);

        Assert.NotNull(await _store.RemoveAsync(session.Id, CancellationToken.None));

        Assert.False(await Inspect.KeyExistsAsync(_connection.Keys.Taken(session.Id)));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await _store.RemoveAsync(session.Id, CancellationToken.None));
    }
}
