using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Bff.Tests.Sessions;

public sealed class SessionKeysTests
{
    [Fact]
    public void Keys_carry_256_random_bits_and_never_repeat()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => SessionKeys.NewKey()).ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, k => Assert.Equal(32, WebEncoders.Base64UrlDecode(k).Length));
    }

    [Fact]
    public void Public_ids_carry_128_random_bits_and_never_repeat()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SessionKeys.NewPublicId()).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(16, WebEncoders.Base64UrlDecode(id).Length));
    }

    [Fact]
    public void Storage_id_is_the_sha256_of_the_key()
    {
        var key = SessionKeys.NewKey();

        var id = SessionKeys.StorageIdFor(key);

        Assert.Equal(WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(key))), id);
        Assert.Equal(id, SessionKeys.StorageIdFor(key));
        Assert.NotEqual(id, SessionKeys.StorageIdFor(SessionKeys.NewKey()));
        Assert.NotEqual(key, id);
    }
}
