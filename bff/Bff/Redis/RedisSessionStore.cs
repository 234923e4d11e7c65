using System.Diagnostics;
using Bff.Logging;
using Bff.Sessions.Store;
using StackExchange.Redis;
using static Bff.Redis.RedisSessionFormat;

namespace Bff.Redis;

/// <summary>
/// Sessions in Redis, shared by every BFF instance. One hash per session (<see cref="RedisSessionFormat"/>)
/// whose TTL is the time left before the idle or absolute limit, whichever is sooner, plus <see cref="ExpiredGrace"/>;
/// two indexes, per user (<c>sub</c>) and per provider session (<c>sid</c>), as sorted sets of storage ids scored
/// by absolute expiry; and the expiry schedule (<see cref="RedisKeys.ExpiryBuckets"/> sorted sets scored by
/// expiry) that the sweeper claims from. Every script touches the keys of one hash tag only (a session and its
/// tombstone), so the store runs unchanged on Redis Cluster. An index outlives every session it lists
/// (<see cref="IndexTtl"/>); a session is written after its index and schedule entries, and removed before them, so an
/// index entry without a session is at worst left over, never a session without its entries. Such a left-over is
/// never listed (unless its session's tombstone still waits to be reported, see <see cref="LookupAsync"/>); it goes
/// when its score (absolute expiry) passes or its index expires, whichever is sooner.
/// </summary>
internal sealed class RedisSessionStore(
    RedisConnection redis,
    TimeProvider time,
    ILogger<RedisSessionStore> logger) : ISessionStore
{
    /// <summary>
    /// How long an expired session's record outlives its expiry in Redis, so that the owner's next request, or
    /// the sweeper, can end it with its reason (idle or absolute) and revoke its refresh token. Never served.
    /// </summary>
    internal TimeSpan ExpiredGrace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The least a taken session's tombstone lives: longer than a sweeper's claim lease, after which it is taken again.</summary>
    internal static readonly TimeSpan TombstoneLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a taker has to delete its tombstone once the take ran, before another take gets it: its reply, then its
    /// delete, each within the command deadline.
    /// </summary>
    internal TimeSpan TakerWindow { get; init; } = 2 * redis.OperationTimeout;

    // What the take script answers while another caller's take is within its window to report the session.
    private const string TakenElsewhere = "taken";

    // How often a removal asks again while another caller's take is under way.
    private static readonly TimeSpan TakenElsewhereRetry = TimeSpan.FromMilliseconds(20);

    // Redis counts a TTL from when its command runs, and a slid session's command may run up to a deadline later
    // than its index's: the margin keeps the index the longer-lived whatever the order and delay.
    internal static readonly TimeSpan IndexMargin = TimeSpan.FromMinutes(1);

    /// <summary>Sessions a lookup reads per command, each command with its own deadline.</summary>
    internal const int LookupBatch = 500;

    private static readonly RedisValue[] Fields = [MetaField, TicketField, LastActivityField, ExpiresField, StampField];
    private static readonly RedisValue[] StateFields = [StampField, LastActivityField, ExpiresField];

    // What a lookup reads: everything but the ticket, the bulk of a session (about 1.7 KB of its 2.4).
    private static readonly RedisValue[] ListedFields = [MetaField, LastActivityField, ExpiresField, StampField];

    // KEYS: the session. ARGV: m, t, a, e, s, TTL ms.
    private const string SaveScript = """
        redis.call('HSET', KEYS[1], 'm', ARGV[1], 't', ARGV[2], 'a', ARGV[3], 'e', ARGV[4], 's', ARGV[5])
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        return 1
        """;

    // Adds a session to an index, prunes members past their absolute expiry, and makes the index outlive every
    // session it lists (its TTL only ever grows, to the longest asked for).
    // KEYS: the index. ARGV: storage id, score (absolute expiry ms), now ms, the index's TTL ms.
    private const string IndexAddScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
        return 1
        """;

    // Lengthens an index's TTL when it is shorter than asked: one written by an older version, with only its
    // sessions' TTL, would otherwise expire under a session that keeps sliding.
    // KEYS: the index. ARGV: TTL ms.
    private const string IndexExtendScript = """
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl >= 0 and ttl < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return 1
        """;

    // Updates fields of a live session, and only then (an expired record kept for its grace period is never
    // brought back), and only while its stamp is the one given, when one is; returns the session's fields.
    // KEYS: the session. ARGV: now (UTC ticks), the stamp it must have or '', field/value pairs, then the new TTL in
    // ms or '' to keep it.
    private const string UpdateScript = """
        local f = redis.call('HMGET', KEYS[1], 'e', 's')
        if not f[1] or tonumber(f[1]) <= tonumber(ARGV[1]) then return false end
        if ARGV[2] ~= '' and (f[2] or '0') ~= ARGV[2] then return false end
        local ttl = ARGV[#ARGV]
        for i = 3, #ARGV - 1, 2 do
          redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        if ttl ~= '' then redis.call('PEXPIRE', KEYS[1], ttl) end
        return redis.call('HMGET', KEYS[1], 'm', 't', 'a', 'e', 's')
        """;

    // Takes a session in one step, so exactly one caller gets it. With ARGV[1] (now, UTC ticks) only an expired session
    // is taken; a live one answers its expiry instead. The session is renamed to its tombstone, stamped with when it was
    // taken (on Redis's clock): a caller that gave up on the reply (a stall past the command deadline) never reports the
    // end, so a later take (the sweeper's at the session's expiry, or a retry) gets the tombstone instead, once it is
    // ARGV[2] ms old, the taker's window to delete it (ForgetAsync); before that the answer is 'taken'. It keeps the
    // session's TTL, and lives at least ARGV[3] ms. KEYS: the session, its tombstone.
    private const string TakeScript = """
        if redis.replicate_commands then redis.replicate_commands() end
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        local f = redis.call('HMGET', KEYS[1], 'm', 't', 'a', 'e', 's')
        if not f[4] then
          local t = redis.call('HMGET', KEYS[2], 'm', 't', 'a', 'e', 's', 'k')
          if not t[4] then return false end
          if now - (tonumber(t[6]) or 0) < tonumber(ARGV[2]) then return 'taken' end
          redis.call('DEL', KEYS[2])
          return {t[1], t[2], t[3], t[4], t[5]}
        end
        if ARGV[1] ~= '' and tonumber(f[4]) > tonumber(ARGV[1]) then return f[4] end
        redis.call('RENAME', KEYS[1], KEYS[2])
        redis.call('HSET', KEYS[2], 'k', now)
        if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
        return f
        """;

    // Claims up to ARGV[2] due sessions of one schedule bucket: their score moves to the claim's deadline, so no
    // other instance takes them meanwhile, and they come back by themselves if the claimer dies.
    // KEYS: the bucket. ARGV: now ms, how many, claim deadline ms.
    private const string ClaimScript = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        for i = 1, #due do redis.call('ZADD', KEYS[1], ARGV[3], due[i]) end
        return due
        """;

    private RedisKeys Keys => redis.Keys;

    private readonly HashReadBatcher _stateReads = new();

    public async Task SaveAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ttl = Milliseconds(session.ExpiresAt - now + ExpiredGrace);
        var indexTtl = IndexTtl(session, now);
        await redis.RunAsync("session save", db =>
        {
            var writes = new List<Task>(3)
            {
                db.SortedSetAddAsync(Keys.ExpiryBucketOf(session.Id), session.Id, session.ExpiresAt.ToUnixTimeMilliseconds()),
            };
            foreach (var index in IndexesOf(session))
            {
                writes.Add(db.ScriptEvaluateAsync(IndexAddScript, [index],
                    [session.Id, session.AbsoluteExpiresAt.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), indexTtl]));
            }

            return Task.WhenAll(writes);
        }, cancellationToken);

        // Once its entries are written the session is written too, whatever the caller does: one abandoned here would
        // still be stored if the command was sent, live with nobody told (the caller undoes a save that failed).
        await redis.RunAsync("session save", db => db.ScriptEvaluateAsync(SaveScript, [Keys.Session(session.Id)],
            [WriteMeta(session), session.Ticket, WriteInstant(session.LastActivityAt), WriteInstant(session.ExpiresAt), WriteStamp(session.Stamp), ttl]), CancellationToken.None);
    }

    public Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, CancellationToken cancellationToken) =>
        ReplaceAsync(id, ticket, expectedStamp: null, cancellationToken);

    public Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, long expectedStamp, CancellationToken cancellationToken) =>
        ReplaceAsync(id, ticket, expectedStamp, cancellationToken);

    private Task<SessionRecord?> ReplaceAsync(string id, byte[] ticket, long? expectedStamp, CancellationToken cancellationToken) =>
        UpdateAsync(id, "session ticket update", expectedStamp, [TicketField, ticket, StampField, WriteStamp(SessionKeys.NewStamp()), ""], cancellationToken);

    public async Task<SessionRecord?> TouchAsync(string id, DateTimeOffset lastActivityAt, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ttl = Milliseconds(expiresAt - now + ExpiredGrace);
        var touched = await UpdateAsync(id, "session activity update", null,
            [LastActivityField, WriteInstant(lastActivityAt), ExpiresField, WriteInstant(expiresAt), ttl],
            cancellationToken);
        if (touched is not null)
        {
            // Housekeeping nobody waits for: the schedule's XX never brings back a session removed meanwhile, and
            // a lost update only makes the sweeper look at a live session early (it reschedules it).
            redis.Run("session schedule update", db =>
            {
                db.SortedSetAdd(Keys.ExpiryBucketOf(id), id, expiresAt.ToUnixTimeMilliseconds(), SortedSetWhen.Exists, CommandFlags.FireAndForget);
                var indexTtl = IndexTtl(touched, now);
                foreach (var index in IndexesOf(touched))
                {
                    db.ScriptEvaluate(IndexExtendScript, [index], [indexTtl], CommandFlags.FireAndForget);
                }

                return true;
            });
        }

        return touched;
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var counts = await redis.RunAsync("session count", db => Task.WhenAll(Enumerable.Range(0, RedisKeys.ExpiryBuckets)
            .Select(bucket => db.SortedSetLengthAsync(Keys.ExpiryBucket(bucket), now, double.PositiveInfinity, Exclude.Start))), cancellationToken);
        return counts.Sum();
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> sessions of one schedule bucket whose expiry has passed. A claim holds
    /// for <paramref name="lease"/>: finish them with <see cref="EndExpiredAsync"/> before then, or another
    /// instance claims them again.
    /// </summary>
    public async Task<IReadOnlyList<string>> ClaimExpiredAsync(int bucket, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claimed = await redis.RunAsync("session sweep claim", db => db.ScriptEvaluateAsync(ClaimScript, [Keys.ExpiryBucket(bucket)],
            [now.ToUnixTimeMilliseconds(), max, (now + lease).ToUnixTimeMilliseconds()]), cancellationToken);
        return ((RedisResult[])claimed!).Select(id => (string)id!).ToList();
    }

    /// <summary>
    /// Takes a claimed session if it has expired: removes it with its index and schedule entries and returns it,
    /// for exactly one caller. A session that saw activity since is put back in the schedule; one that is gone
    /// (removed elsewhere, or past its grace) only leaves the schedule. Null in both cases. Like
    /// <see cref="RemoveAsync"/>, <paramref name="cancellationToken"/> only stops a take that has not begun.
    /// </summary>
    public async Task<SessionRecord?> EndExpiredAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = await redis.RunAsync("session sweep take",
            db => db.ScriptEvaluateAsync(TakeScript, [Keys.Session(id), Keys.Taken(id)], TakeArguments(WriteInstant(time.GetUtcNow()))), CancellationToken.None);
        if (IsTakenElsewhere(result))
        {
            // Another caller's take, within its window: should that caller never report it, this claim runs out and
            // the tombstone is taken then.
            return null;
        }

        if (!result.IsNull && result.Resp2Type == ResultType.BulkString)
        {
            var expiresAt = new DateTimeOffset(long.Parse((string)result!, NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero);
            await redis.RunAsync("session sweep reschedule", db => db.SortedSetAddAsync(Keys.ExpiryBucketOf(id), id,
                expiresAt.ToUnixTimeMilliseconds(), SortedSetWhen.Exists), CancellationToken.None);
            return null;
        }

        return await ForgetAsync(id, result);
    }

    // The take script's arguments after the first.
    private RedisValue[] TakeArguments(RedisValue expiredBefore) =>
        [expiredBefore, (long)TakerWindow.TotalMilliseconds, (long)TombstoneLifetime.TotalMilliseconds];

    private static bool IsTakenElsewhere(RedisResult result) =>
        result.Resp2Type == ResultType.BulkString && (string?)result == TakenElsewhere;

    public async Task<SessionRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var fields = await redis.RunAsync("session read", db => db.HashGetAsync(Keys.Session(id), Fields), cancellationToken);
        return Read(id, fields);
    }

    public async Task<SessionState?> GetStateAsync(string id, CancellationToken cancellationToken)
    {
        // Every request's check: batched with the other requests' checks in flight.
        var fields = await redis.RunAsync("session state read", db => _stateReads.ReadAsync(db, Keys.Session(id), StateFields), cancellationToken);
        if (fields.Length != StateFields.Length || fields[1].IsNull || fields[2].IsNull)
        {
            return null;
        }

        try
        {
            return new SessionState(ReadStamp((string?)fields[0]), RedisSessionFormat.ReadInstant((string)fields[1]!), RedisSessionFormat.ReadInstant((string)fields[2]!));
        }
        catch (FormatException ex)
        {
            Log.RedisSessionUnreadable(logger, ex.Message);
            return null;
        }
    }

    public async Task<SessionRecord?> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        // The token is honoured before the take only. Once the take is sent Redis may delete the session whatever
        // the caller does, so the take, its index and schedule cleanup and the answer (the record, for the caller
        // to report the end) all complete; each command still has its deadline.
        cancellationToken.ThrowIfCancellationRequested();
        // Taken by another caller moments ago: it forgets the tombstone once it has the record, so asked again shortly the
        // session is gone. One that never heard back keeps its tombstone until its window passes: that is no "already
        // gone" (a retried sign out everywhere would count the session done, and its reason would be lost), but a 503.
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var result = await redis.RunAsync("session remove",
                db => db.ScriptEvaluateAsync(TakeScript, [Keys.Session(id), Keys.Taken(id)], TakeArguments("")), CancellationToken.None);
            if (!IsTakenElsewhere(result))
            {
                return await ForgetAsync(id, result);
            }

            if (waited.Elapsed > redis.OperationTimeout)
            {
                throw new SessionStoreUnavailableException("The session is being ended by another request that has not finished; try again in a moment.");
            }

            await Task.Delay(TakenElsewhereRetry, CancellationToken.None);
        }
    }

    public Task<IReadOnlyList<SessionRecord>> GetBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        LookupAsync(Keys.Subject(subject), cancellationToken);

    public Task<IReadOnlyList<SessionRecord>> GetByProviderSessionAsync(string providerSessionId, CancellationToken cancellationToken) =>
        LookupAsync(Keys.ProviderSession(providerSessionId), cancellationToken);

    // After a take: drop the session's index and schedule entries (the record names its indexes, which never change).
    // Never cancelled: the session is already gone, and entries left behind would outlive it.
    private async Task<SessionRecord?> ForgetAsync(string id, RedisResult taken)
    {
        var wasTaken = taken.Resp2Type == ResultType.Array;
        var session = wasTaken ? Read(id, (RedisValue[])taken!) : null;
        if (wasTaken)
        {
            // Taken by this caller (readable or not): its tombstone must go before anything else, or a later take would
            // report the session a second time. Deleting is safe to repeat, so once more if Redis did not answer.
            await DeleteTombstoneAsync(id);
        }

        try
        {
            await redis.RunAsync("session remove", db =>
            {
                var removals = new List<Task>(3) { db.SortedSetRemoveAsync(Keys.ExpiryBucketOf(id), id) };
                if (session is not null)
                {
                    removals.AddRange(IndexesOf(session).Select(index => db.SortedSetRemoveAsync(index, id)));
                }

                return Task.WhenAll(removals);
            }, CancellationToken.None);
        }
        catch (SessionStoreUnavailableException ex)
        {
            // The session is gone already: its end must still be reported (revocation, reason, audit). Entries left
            // behind are skipped on read and go at their score.
            Log.RedisSessionEntriesNotRemoved(logger, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
        }

        return session;
    }

    private async Task DeleteTombstoneAsync(string id)
    {
        Task Delete() => redis.RunAsync("session tombstone remove", db => db.KeyDeleteAsync(Keys.Taken(id)), CancellationToken.None);
        try
        {
            await Delete();
        }
        catch (SessionStoreUnavailableException)
        {
            try
            {
                await Delete();
            }
            catch (SessionStoreUnavailableException ex)
            {
                // Reported here all the same; the sweeper may report it once more at its deadline.
                Log.RedisTombstoneNotRemoved(logger, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
            }
        }
    }

    // The sessions an index lists, without their tickets (see ISessionStore): a user may hold thousands, and no
    // caller of a lookup needs their tokens (an end takes the whole record with RemoveAsync). Read in batches of
    // LookupBatch, each under its own deadline, so a long list is never one reply under one deadline.
    private async Task<IReadOnlyList<SessionRecord>> LookupAsync(RedisKey index, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = await redis.RunAsync("session index read", db =>
        {
            var listed = db.SortedSetRangeByScoreAsync(index, now, double.PositiveInfinity, Exclude.Start);

            // Only entries past their score (absolute expiry) are pruned, never one because its session is missing:
            // a save writes its entries before its session, so "missing" may be "not written yet", and dropping
            // that entry would leave a live session its user's sign-out everywhere, session limit and back-channel
            // logout never find. A session that is really gone had its entries removed with it (the take, then
            // the forget); one Redis dropped on its own (TTL after the grace, eviction) leaves entries that are
            // skipped below until their score passes or the index expires (see IndexTtl). Housekeeping: nobody
            // waits for it, and a lost prune is redone by the next read.
            db.SortedSetRemoveRangeByScore(index, double.NegativeInfinity, now, flags: CommandFlags.FireAndForget);
            return listed;
        }, cancellationToken);

        var sessions = new List<SessionRecord>(ids.Length);
        foreach (var batch in ids.Chunk(LookupBatch))
        {
            var fields = await redis.RunAsync("session index read", db =>
                Task.WhenAll(batch.Select(id => db.HashGetAsync(Keys.Session((string)id!), ListedFields))), cancellationToken);

            // A session taken by a caller that never heard back is listed from its tombstone, so that a retry (of a sign
            // out everywhere, a back-channel logout) finds it and ends it with its reason.
            var missing = Enumerable.Range(0, batch.Length).Where(i => fields[i][0].IsNull).ToArray();
            if (missing.Length > 0)
            {
                var taken = await redis.RunAsync("session index read", db =>
                    Task.WhenAll(missing.Select(i => db.HashGetAsync(Keys.Taken((string)batch[i]!), ListedFields))), cancellationToken);
                for (var j = 0; j < missing.Length; j++)
                {
                    fields[missing[j]] = taken[j];
                }
            }

            for (var i = 0; i < batch.Length; i++)
            {
                if (Live(ReadWithoutTicket((string)batch[i]!, fields[i])) is { } session)
                {
                    sessions.Add(session);
                }
            }
        }

        return sessions;
    }

    private async Task<SessionRecord?> UpdateAsync(string id, string operation, long? expectedStamp, RedisValue[] changes, CancellationToken cancellationToken)
    {
        RedisValue stamp = expectedStamp is { } expected ? WriteStamp(expected) : "";
        var result = await redis.RunAsync(operation,
            db => db.ScriptEvaluateAsync(UpdateScript, [Keys.Session(id)], [WriteInstant(time.GetUtcNow()), stamp, .. changes]), cancellationToken);
        return result.IsNull ? null : Live(Read(id, (RedisValue[])result!));
    }

    /// <summary>
    /// An index's TTL: past the absolute expiry and grace of the session it is written for, so it outlives that
    /// session's key however the session slides, and a session Redis holds is always found by its user and provider
    /// session. (They are small.) Eviction samples keys and may still take an index first: hence noeviction.
    /// </summary>
    private string IndexTtl(SessionRecord session, DateTimeOffset now) =>
        Milliseconds(session.AbsoluteExpiresAt - now + ExpiredGrace + IndexMargin);

    private RedisKey[] IndexesOf(SessionRecord session) =>
        session.ProviderSessionId is { } sid
            ? [Keys.Subject(session.Subject), Keys.ProviderSession(sid)]
            : [Keys.Subject(session.Subject)];

    // Fields as read in the order of Fields; null when the session is gone or unreadable.
    private SessionRecord? Read(string id, RedisValue[] fields) =>
        fields.Length == Fields.Length && !fields[1].IsNull ? Read(id, fields[0], fields[1]!, fields[2], fields[3], fields[4]) : null;

    // Fields as read in the order of ListedFields: the record with an empty ticket.
    private SessionRecord? ReadWithoutTicket(string id, RedisValue[] fields) =>
        fields.Length == ListedFields.Length ? Read(id, fields[0], [], fields[1], fields[2], fields[3]) : null;

    private SessionRecord? Read(string id, RedisValue meta, byte[] ticket, RedisValue lastActivity, RedisValue expires, RedisValue stamp)
    {
        if (meta.IsNull || lastActivity.IsNull || expires.IsNull)
        {
            return null;
        }

        try
        {
            return RedisSessionFormat.Read(id, meta!, ticket, lastActivity!, expires!, stamp);
        }
        catch (FormatException ex)
        {
            Log.RedisSessionUnreadable(logger, ex.Message);
            return null;
        }
    }

    private SessionRecord? Live(SessionRecord? session) =>
        session is not null && session.ExpiresAt > time.GetUtcNow() ? session : null;

    // PEXPIRE needs at least 1 ms; an already expired record lives 1 ms and is never returned.
    private static string Milliseconds(TimeSpan ttl) =>
        Math.Max(1L, (long)Math.Ceiling(ttl.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
}
