using System.Xml.Linq;
using Bff.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bff.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisXmlRepositoryTests(RedisFixture redis)
{
    private readonly string _prefix = RedisFixture.NewPrefix();

    private RedisXmlRepository NewRepository(RedisConnection connection) => new(connection, NullLogger<RedisXmlRepository>.Instance);

    [Fact]
    public void Stores_and_reads_every_element_in_order()
    {
        using var connection = redis.Connect(_prefix);
        var repository = NewRepository(connection);
        Assert.Empty(repository.GetAllElements());

        repository.StoreElement(new XElement("key", new XAttribute("id", "1"), new XElement("secret", "a")), "key-1");
        repository.StoreElement(new XElement("key", new XAttribute("id", "2")), "key-2");

        var elements = repository.GetAllElements();
        Assert.Equal(["1", "2"], elements.Select(e => e.Attribute("id")!.Value));
        Assert.Equal("a", elements.First().Element("secret")!.Value);
        Assert.Equal(2, redis.Inspect.ListLength(connection.Keys.DataProtectionKeys));
    }

    [Fact]
    public void Data_protected_by_one_instance_is_read_by_another_only_with_the_same_application_name()
    {
        using var connectionA = redis.Connect(_prefix);
        using var connectionB = redis.Connect(_prefix);
        var a = Provider(NewRepository(connectionA), "shop");
        var b = Provider(NewRepository(connectionB), "shop");
        var other = Provider(NewRepository(connectionB), "another-app");

        var secret = a.CreateProtector("purpose").Protect("hello");

        Assert.Equal("hello", b.CreateProtector("purpose").Unprotect(secret));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => other.CreateProtector("purpose").Unprotect(secret));
        Assert.Single(NewRepository(connectionB).GetAllElements());
    }

    private static IDataProtectionProvider Provider(RedisXmlRepository repository, string applicationName)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(applicationName);
        services.Configure<KeyManagementOptions>(options => options.XmlRepository = repository);
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }
}
