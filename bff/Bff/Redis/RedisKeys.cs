using System.IO.Hashing;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// Every key the BFF writes, under one prefix. A part in braces is the key's hash tag (Redis Cluster puts keys
/// with the same tag in one slot): a session, its tombstone and its end marker share their storage id's tag. Every
/// script and transaction touches the keys of one tag only, so the same code runs on one Redis, a cluster and behind
/// Sentinel.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>How many sorted sets the expiry schedule is spread over (one slot each, so over every master).</summary>
    public const int ExpiryBuckets = 16;

    public string Prefix { get; } = prefix;

    /// <summary>A session: a hash of its fields, expiring a grace period after the session.</summary>
    public RedisKey Session(string storageId) => Prefix + "session:{" + storageId + "}";

    /// <summary>A session just taken (ended), until its taker has reported it (see the session store's take).</summary>
    public RedisKey Taken(string storageId) => Prefix + "taken:{" + storageId + "}";

    /// <summary>Why a recently ended session ended, until its cookie would have expired.</summary>
    public RedisKey EndedSession(string storageId) => Prefix + "ended:{" + storageId + "}";

    /// <summary>The sessions of one user: a sorted set of storage ids scored by absolute expiry.</summary>
    public RedisKey Subject(string subject) => Prefix + "sub:{" + subject + "}";

    /// <summary>The sessions of one provider session: a sorted set like <see cref="Subject"/>.</summary>
    public RedisKey ProviderSession(string providerSessionId) => Prefix + "sid:{" + providerSessionId + "}";

    /// <summary>One bucket of the expiry schedule: storage ids scored by when the session expires (ms).</summary>
    public RedisKey ExpiryBucket(int bucket) => Prefix + "expiry:{" + bucket + "}";

    /// <summary>The bucket of the expiry schedule that holds this session.</summary>
    public static int BucketOf(string storageId) =>
        (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(storageId)) % ExpiryBuckets);

    public RedisKey ExpiryBucketOf(string storageId) => ExpiryBucket(BucketOf(storageId));

    /// <summary>The data-protection key ring: a list of XML elements (written by DataProtection.StackExchangeRedis).</summary>
    public RedisKey DataProtectionKeys => Prefix + "dataprotection:keys";

    public RedisKey Lock(string name) => Prefix + "lock:{" + name + "}";

    /// <summary>A one-time value seen (a logout token's <c>jti</c>), expiring with the token.</summary>
    public RedisKey Replay(string key) => Prefix + "replay:{" + key + "}";

    /// <summary>A user's session events: a stream, trimmed by age and count.</summary>
    public RedisKey AuditTrail(string subject) => Prefix + "audit:{" + subject + "}";

    /// <summary>Every session event of every user: a stream trimmed by age, for auditors and log shippers.</summary>
    public RedisKey AuditLog => Prefix + "audit-log";
}
