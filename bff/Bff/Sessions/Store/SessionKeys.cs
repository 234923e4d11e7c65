using Microsoft.AspNetCore.WebUtilities;

namespace Bff.Sessions.Store;

/// <summary>The secrets and ids of a session: a random key for the cookie, its hash for the store, a public id, a stamp per ticket write.</summary>
internal static class SessionKeys
{
    public static string NewKey() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string NewPublicId() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));

    /// <summary>A fresh ticket stamp, never 0 (0 marks a record written without one). Server-side only: no secret.</summary>
    public static long NewStamp() => Random.Shared.NextInt64(1, long.MaxValue);

    public static string StorageIdFor(string key) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(key)));
}
