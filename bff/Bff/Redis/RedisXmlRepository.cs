using System.Xml.Linq;
using Bff.Logging;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// The data-protection key ring in Redis: every key element is one entry of a list under one Redis key, so
/// every instance reads the same keys and a cookie issued by one is accepted by all, across restarts.
/// Data Protection calls this synchronously, rarely (start-up and key rotation), and caches what it reads.
/// </summary>
internal sealed class RedisXmlRepository(RedisConnection redis, ILogger<RedisXmlRepository> logger) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var entries = redis.Run("key ring read", db => db.ListRange(redis.Keys.DataProtectionKeys));
        return entries.Select(entry => XElement.Parse((string)entry!)).ToList().AsReadOnly();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        var xml = element.ToString(SaveOptions.DisableFormatting);
        redis.Run("key ring write", db => db.ListRightPush(redis.Keys.DataProtectionKeys, xml));
        Log.DataProtectionKeyStored(logger, friendlyName);
    }
}
