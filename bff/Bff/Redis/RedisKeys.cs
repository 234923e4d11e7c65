using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>Every key the BFF writes, under one prefix.</summary>
internal sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>A session: a hash of its fields, expiring with the session.</summary>
    public RedisKey Session(string storageId) => Prefix + "session:" + storageId;

    /// <summary>The sessions of one user: a sorted set of storage ids scored by absolute expiry.</summary>
    public RedisKey Subject(string subject) => Prefix + "sub:" + subject;

    /// <summary>The sessions of one provider session: a sorted set like <see cref="Subject"/>.</summary>
    public RedisKey ProviderSession(string providerSessionId) => Prefix + "sid:" + providerSessionId;

    /// <summary>Every session: a sorted set of storage ids scored by when the session expires, for counting.</summary>
    public RedisKey AllSessions => Prefix + "sessions";

    /// <summary>The data-protection key ring: a list of XML elements.</summary>
    public RedisKey DataProtectionKeys => Prefix + "dataprotection:keys";

    public RedisKey Lock(string name) => Prefix + "lock:" + name;

    /// <summary>A one-time value seen (a logout token's <c>jti</c>), expiring with the token.</summary>
    public RedisKey Replay(string key) => Prefix + "replay:" + key;

    /// <summary>Why a recently ended session ended, until its cookie would have expired.</summary>
    public RedisKey EndedSession(string storageId) => Prefix + "ended:" + storageId;

    /// <summary>A user's recent session events: a capped list, newest first.</summary>
    public RedisKey AuditTrail(string subject) => Prefix + "audit:" + subject;
}
