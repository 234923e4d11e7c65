using Bff.Configuration;
using Bff.Sessions.Audit;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// Session events on Redis Streams: one stream per user (read by <c>/bff/sessions/events</c>, at most
/// <c>Bff:Session:AuditEventsPerUser</c> entries) and one stream of every user's events (for auditors and log
/// shippers, <c>XREAD</c>/consumer groups; at most <c>Bff:Session:AuditLogMaxEvents</c>). Both drop entries
/// older than <c>Bff:Session:AuditRetention</c> on every write, and a user's stream is deleted a retention period after its last event. Entry ids are the
/// event's time in ms, so trimming by age is trimming by id (<c>MINID</c>).
/// </summary>
internal sealed class RedisAuditTrail(RedisConnection redis, IOptions<BffOptions> options, TimeProvider time) : IAuditTrail
{
    private const string EventField = "e";

    // Appends at the event's ms (or the stream's last ms, if that is later: ids only grow), trims by age, and by
    // count when ARGV[4] > 0. KEYS: the stream. ARGV: event JSON, its time ms, oldest ms kept, cap, key TTL ms or ''.
    private const string AppendScript = """
        local at = tonumber(ARGV[2])
        local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
        if #last > 0 then
          local lastMs = tonumber(string.match(last[1][1], '^(%d+)'))
          if lastMs > at then at = lastMs end
        end
        local id = redis.call('XADD', KEYS[1], string.format('%d-*', at), 'e', ARGV[1])
        redis.call('XTRIM', KEYS[1], 'MINID', ARGV[3])
        if tonumber(ARGV[4]) > 0 then redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[4]) end
        if ARGV[5] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
        return id
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private int Cap => options.Value.Session.AuditEventsPerUser;

    private TimeSpan Retention => options.Value.Session.AuditRetention;

    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(auditEvent, Json);
        var at = auditEvent.At.ToUnixTimeMilliseconds();
        var oldest = Math.Max(0, (time.GetUtcNow() - Retention).ToUnixTimeMilliseconds());
        var ttl = ((long)Math.Max(1, Retention.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        return redis.RunAsync("audit append", db => Task.WhenAll(
            db.ScriptEvaluateAsync(AppendScript, [redis.Keys.AuditTrail(auditEvent.Subject)], [json, at, oldest, Cap, ttl]),
            db.ScriptEvaluateAsync(AppendScript, [redis.Keys.AuditLog], [json, at, oldest, options.Value.Session.AuditLogMaxEvents, ""])), cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEvent>> GetRecentAsync(string subject, CancellationToken cancellationToken)
    {
        var oldest = (time.GetUtcNow() - Retention).ToUnixTimeMilliseconds();
        var entries = await redis.RunAsync("audit read",
            db => db.StreamRangeAsync(redis.Keys.AuditTrail(subject), minId: Math.Max(0, oldest) + "-0", count: Cap, messageOrder: Order.Descending),
            cancellationToken);
        return entries
            .Select(entry => entry[EventField])
            .Where(value => !value.IsNull)
            .Select(value => JsonSerializer.Deserialize<AuditEvent>((string)value!, Json))
            .OfType<AuditEvent>()
            .ToList();
    }
}
