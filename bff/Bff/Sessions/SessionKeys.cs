using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Bff.Sessions;

/// <summary>The secrets and ids of a session: a random key for the cookie, its hash for the store, a public id.</summary>
internal static class SessionKeys
{
    public static string NewKey() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string NewPublicId() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));

    public static string StorageIdFor(string key) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(key)));
}
