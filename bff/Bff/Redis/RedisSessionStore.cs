using System.Globalization;
using Bff.Logging;
using Bff.Sessions;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using static Bff.Redis.RedisSessionFormat;

namespace Bff.Redis;

/// <summary>
/// Sessions in Redis, shared by every BFF instance. One hash per session (<see cref="RedisSessionFormat"/>)
/// whose TTL is the time left before the idle or absolute limit, whichever is sooner; two indexes, per user
/// (<c>sub</c>) and per provider session (<c>sid</c>), as sorted sets of storage ids scored by the session's
/// absolute expiry. Every write that touches a session and its indexes is one Lua script, so they never
/// disagree; index entries whose session expired are pruned when the index is read.
/// </summary>
internal sealed class RedisSessionStore(
    RedisConnection redis,
    TimeProvider time,
    ILogger<RedisSessionStore> logger,
    SessionExpiryQueue? expiries = null) : ISessionStore
{
    /// <summary>
    /// How long an expired session's record outlives its expiry in Redis, so that the owner's next request, or
    /// the sweep, can end it with its reason (idle or absolute) and revoke its refresh token. Never served.
    /// </summary>
    internal TimeSpan ExpiredGrace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this many expired sessions are ended per sweep.</summary>
    private const int SweepBatch = 100;

    private static readonly RedisValue[] Fields = [MetaField, TicketField, LastActivityField, ExpiresField];

    // KEYS: the session, the set of all sessions, then its indexes.
    // ARGV: m, t, a, e, TTL ms, storage id, index score, now (ms), expiry (ms).
    private const string SaveScript = """
        redis.call('HSET', KEYS[1], 'm', ARGV[1], 't', ARGV[2], 'a', ARGV[3], 'e', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('ZADD', KEYS[2], ARGV[9], ARGV[6])
        local now = tonumber(ARGV[8])
        for i = 3, #KEYS do
          redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
          redis.call('ZADD', KEYS[i], ARGV[7], ARGV[6])
          local last = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
          redis.call('PEXPIRE', KEYS[i], string.format('%d', math.max(1, tonumber(last[2]) - now)))
        end
        return 1
        """;

    // Updates fields of a live session, and only then (an expired record kept for its grace period is never
    // brought back); returns the session's fields.
    // KEYS: the session. ARGV: now (UTC ticks), field/value pairs, then the new TTL in ms or '' to keep it.
    private const string UpdateScript = """
        local expires = redis.call('HGET', KEYS[1], 'e')
        if not expires or tonumber(expires) <= tonumber(ARGV[1]) then return false end
        local ttl = ARGV[#ARGV]
        for i = 2, #ARGV - 1, 2 do
          redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        if ttl ~= '' then redis.call('PEXPIRE', KEYS[1], ttl) end
        return redis.call('HMGET', KEYS[1], 'm', 't', 'a', 'e')
        """;

    // KEYS: the session, the set of all sessions, then its indexes. ARGV: storage id. 1 when this call removed it.
    private const string RemoveScript = """
        if redis.call('DEL', KEYS[1]) == 0 then return 0 end
        for i = 2, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
        return 1
        """;

    private RedisKeys Keys => redis.Keys;

    public Task SaveAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        RedisValue[] values =
        [
            WriteMeta(session),
            session.Ticket,
            WriteInstant(session.LastActivityAt),
            WriteInstant(session.ExpiresAt),
            Milliseconds(session.ExpiresAt - now + ExpiredGrace),
            session.Id,
            session.AbsoluteExpiresAt.ToUnixTimeMilliseconds(),
            now.ToUnixTimeMilliseconds(),
            session.ExpiresAt.ToUnixTimeMilliseconds(),
        ];
        return redis.RunAsync("session save",
            db => db.ScriptEvaluateAsync(SaveScript, KeysOf(session), values), cancellationToken);
    }

    public Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, CancellationToken cancellationToken) =>
        UpdateAsync(id, "session ticket update", [TicketField, ticket, ""], cancellationToken);

    public async Task<SessionRecord?> TouchAsync(string id, DateTimeOffset lastActivityAt, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var touched = await UpdateAsync(id, "session activity update",
            [LastActivityField, WriteInstant(lastActivityAt), ExpiresField, WriteInstant(expiresAt), Milliseconds(expiresAt - time.GetUtcNow() + ExpiredGrace)],
            cancellationToken);
        if (touched is not null)
        {
            // Only the count reads this score; XX never brings back a session removed meanwhile.
            redis.Run("session count update", db => db.SortedSetAdd(Keys.AllSessions, id, expiresAt.ToUnixTimeMilliseconds(), When.Exists, CommandFlags.FireAndForget));
        }

        return touched;
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return await redis.RunAsync("session count",
            db => db.SortedSetLengthAsync(Keys.AllSessions, now, double.PositiveInfinity, Exclude.Start), cancellationToken);
    }

    /// <summary>
    /// Ends sessions that expired without a request noticing: removes them (one instance wins each) and reports
    /// them to the <see cref="SessionExpiryQueue"/>, whose worker tells the observers (revocation, audit).
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = await redis.RunAsync("session sweep",
            db => db.SortedSetRangeByScoreAsync(Keys.AllSessions, double.NegativeInfinity, now, take: SweepBatch), cancellationToken);

        var ended = 0;
        foreach (var id in ids)
        {
            var removed = await RemoveAsync((string)id!, cancellationToken);
            if (removed is not null)
            {
                expiries?.Publish(removed);
                ended++;
            }
            else
            {
                // The record is gone already (removed elsewhere, or past its grace): drop the count entry.
                await redis.RunAsync("session sweep", db => db.SortedSetRemoveAsync(Keys.AllSessions, id), cancellationToken);
            }
        }

        return ended;
    }

    public async Task<SessionRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var fields = await redis.RunAsync("session read", db => db.HashGetAsync(Keys.Session(id), Fields), cancellationToken);
        return Read(id, fields);
    }

    public async Task<SessionRecord?> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        // The record names its indexes; sub and sid never change, so reading first is safe.
        var fields = await redis.RunAsync("session read", db => db.HashGetAsync(Keys.Session(id), Fields), cancellationToken);
        var session = Read(id, fields);
        if (session is null)
        {
            // Gone, or unreadable: remove what is there without knowing its indexes (stale entries get pruned).
            await redis.RunAsync("session remove", db => db.KeyDeleteAsync(Keys.Session(id)), cancellationToken);
            return null;
        }

        var removed = (int)await redis.RunAsync("session remove",
            db => db.ScriptEvaluateAsync(RemoveScript, KeysOf(session), [id]), cancellationToken);
        return removed == 1 ? session : null;
    }

    public Task<IReadOnlyList<SessionRecord>> GetBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        LookupAsync(Keys.Subject(subject), cancellationToken);

    public Task<IReadOnlyList<SessionRecord>> GetByProviderSessionAsync(string providerSessionId, CancellationToken cancellationToken) =>
        LookupAsync(Keys.ProviderSession(providerSessionId), cancellationToken);

    private async Task<IReadOnlyList<SessionRecord>> LookupAsync(RedisKey index, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return await redis.RunAsync("session index read", async db =>
        {
            var ids = await db.SortedSetRangeByScoreAsync(index, now, double.PositiveInfinity, Exclude.Start);
            var reads = ids.Select(id => db.HashGetAsync(Keys.Session((string)id!), Fields)).ToArray();
            var fields = await Task.WhenAll(reads);

            var sessions = new List<SessionRecord>(ids.Length);
            var stale = new List<RedisValue>();
            for (var i = 0; i < ids.Length; i++)
            {
                if (Live(Read((string)ids[i]!, fields[i])) is { } session)
                {
                    sessions.Add(session);
                }
                else if (fields[i][0].IsNull)
                {
                    stale.Add(ids[i]);
                }
            }

            // Pruning is housekeeping: nobody waits for it, and a lost prune is redone by the next read.
            db.SortedSetRemoveRangeByScore(index, double.NegativeInfinity, now, flags: CommandFlags.FireAndForget);
            if (stale.Count > 0)
            {
                db.SortedSetRemove(index, [.. stale], CommandFlags.FireAndForget);
            }

            return (IReadOnlyList<SessionRecord>)sessions;
        }, cancellationToken);
    }

    private async Task<SessionRecord?> UpdateAsync(string id, string operation, RedisValue[] changes, CancellationToken cancellationToken)
    {
        var result = await redis.RunAsync(operation,
            db => db.ScriptEvaluateAsync(UpdateScript, [Keys.Session(id)], [WriteInstant(time.GetUtcNow()), .. changes]), cancellationToken);
        return result.IsNull ? null : Live(Read(id, (RedisValue[])result!));
    }

    private RedisKey[] KeysOf(SessionRecord session) =>
        session.ProviderSessionId is { } sid
            ? [Keys.Session(session.Id), Keys.AllSessions, Keys.Subject(session.Subject), Keys.ProviderSession(sid)]
            : [Keys.Session(session.Id), Keys.AllSessions, Keys.Subject(session.Subject)];

    private SessionRecord? Read(string id, RedisValue[] fields)
    {
        if (fields.Length != Fields.Length || fields.Any(f => f.IsNull))
        {
            return null;
        }

        try
        {
            return RedisSessionFormat.Read(id, fields[0]!, fields[1]!, fields[2]!, fields[3]!);
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
