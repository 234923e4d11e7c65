using System.Text.Json;
using Bff.Configuration;
using Bff.Sessions.Audit;
using Microsoft.Extensions.Options;

namespace Bff.Redis;

/// <summary>
/// Each user's recent session events in Redis: a list, newest first, trimmed to
/// <c>Bff:Session:AuditEventsPerUser</c> and forgotten after <see cref="Retention"/> without events.
/// </summary>
internal sealed class RedisAuditTrail(RedisConnection redis, IOptions<BffOptions> options) : IAuditTrail
{
    internal static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    // KEYS: the user's list. ARGV: the event, the cap, the retention in ms.
    private const string AppendScript = """
        redis.call('LPUSH', KEYS[1], ARGV[1])
        redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private int Cap => options.Value.Session.AuditEventsPerUser;

    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken) =>
        redis.RunAsync("audit append", db => db.ScriptEvaluateAsync(AppendScript, [redis.Keys.AuditTrail(auditEvent.Subject)],
            [JsonSerializer.Serialize(auditEvent, Json), Cap, (long)Retention.TotalMilliseconds]), cancellationToken);

    public async Task<IReadOnlyList<AuditEvent>> GetRecentAsync(string subject, CancellationToken cancellationToken)
    {
        var entries = await redis.RunAsync("audit read",
            db => db.ListRangeAsync(redis.Keys.AuditTrail(subject), 0, Cap - 1), cancellationToken);
        return entries
            .Select(e => JsonSerializer.Deserialize<AuditEvent>((string)e!, Json))
            .OfType<AuditEvent>()
            .ToList();
    }
}
