using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Sessions;

/// <summary>
/// Two instances share a key ring (here a directory). One makes a key active at once and rewrites a session's ticket
/// with it; the other, which read the ring long ago, must not end that session as unreadable: it answers as for an
/// outage, reads the ring again, and then reads the ticket. A ticket whose key is nowhere is still unreadable.
/// </summary>
public sealed class KeyRingReloadTests : IDisposable
{
    private readonly List<DirectoryInfo> _rings = [Directory.CreateTempSubdirectory("bff-key-ring-")];
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<ServiceProvider> _instances = [];

    public void Dispose()
    {
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }

        foreach (var ring in _rings)
        {
            ring.Delete(recursive: true);
        }
    }

    private DirectoryInfo SharedRing => _rings[0];

    private ServiceProvider Instance(DirectoryInfo ring, IXmlRepository? repository = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddDataProtection().PersistKeysToFileSystem(ring).SetApplicationName("bff-tests");
        if (repository is not null)
        {
            services.Configure<KeyManagementOptions>(options => options.XmlRepository = repository);
        }

        ReloadableKeyManager.Register(services);
        services.AddSingleton<KeyRingReload>();
        services.AddSingleton<SessionTicketProtector>();
        var instance = services.BuildServiceProvider();
        _instances.Add(instance);
        return instance;
    }

    /// <summary>
    /// Data protection itself reads the ring again for an unknown key during its first two minutes: an instance that
    /// has run longer does not. (Its own internal setting, set here instead of waiting two minutes.)
    /// </summary>
    private static void RunningForHours(IServiceProvider instance)
    {
        var keyRing = instance.GetRequiredService<IKeyRingProvider>();
        var window = keyRing.GetType().GetProperty("AutoRefreshWindowEnd", BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.True(window is not null, "Data protection no longer has the two-minute window this test steps past.");
        window.SetValue(keyRing, DateTime.UtcNow.AddSeconds(-1));
    }

    private static AuthenticationTicket Ticket() =>
        new(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "alice")], "test")), new AuthenticationProperties(), "Cookies");

    private static Guid KeyOf(byte[] payload) => new(payload.AsSpan(4, 16));

    /// <summary>The shared ring's directory, unable to be read while <see cref="Fails"/>.</summary>
    private sealed class FailingRepository(DirectoryInfo directory) : IXmlRepository
    {
        private readonly FileSystemXmlRepository _inner = new(directory, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        private int _failedReads;

        public bool Fails { get; set; }

        public int FailedReads => Volatile.Read(ref _failedReads);

        public IReadOnlyCollection<System.Xml.Linq.XElement> GetAllElements()
        {
            if (Fails)
            {
                Interlocked.Increment(ref _failedReads);
                throw new IOException("The test's key ring cannot be read.");
            }

            return _inner.GetAllElements();
        }

        public void StoreElement(System.Xml.Linq.XElement element, string friendlyName) => _inner.StoreElement(element, friendlyName);
    }

    [Fact]
    public async Task A_ticket_rewritten_elsewhere_with_a_new_key_reads_here_once_the_ring_is_read_again_never_as_unreadable()
    {
        var a = Instance(SharedRing);
        var tickets = a.GetRequiredService<SessionTicketProtector>();
        var first = tickets.Protect(Ticket(), "session-1");
        Assert.NotNull(tickets.Unprotect(first, "session-1"));
        RunningForHours(a);

        // Instance B makes a key active at once (as the first encrypted key after a key-ring certificate is added) and
        // rewrites the ticket with it (as a token refresh there does).
        var b = Instance(SharedRing);
        var now = DateTimeOffset.UtcNow;
        b.GetRequiredService<IKeyManager>().CreateNewKey(now, now.AddDays(90));
        var rewritten = b.GetRequiredService<SessionTicketProtector>().Protect(Ticket(), "session-1");
        Assert.NotEqual(KeyOf(first), KeyOf(rewritten));

        // A does not know the key yet: an outage for this request (503), not an unreadable ticket (an ended session).
        Assert.Throws<SessionStoreUnavailableException>(() => tickets.Unprotect(rewritten, "session-1"));

        // A reads the ring again on its own, in the background.
        var ring = a.GetRequiredService<IKeyRingProvider>();
        await Polling.UntilAsync(() => Task.FromResult(ring.GetCurrentKeyRing().GetAuthenticatedEncryptorByKeyId(KeyOf(rewritten), out _) is not null),
            TimeSpan.FromSeconds(10), "the new key read");

        Assert.Equal("alice", tickets.Unprotect(rewritten, "session-1")?.Principal.FindFirstValue("sub"));
    }

    [Fact]
    public async Task A_ticket_whose_key_is_in_no_ring_is_unreadable_once_a_later_read_of_the_ring_has_finished()
    {
        var a = Instance(SharedRing);
        var tickets = a.GetRequiredService<SessionTicketProtector>();
        tickets.Protect(Ticket(), "session-1");
        RunningForHours(a);
        _rings.Add(Directory.CreateTempSubdirectory("bff-other-ring-"));
        var foreign = Instance(_rings[1]).GetRequiredService<SessionTicketProtector>().Protect(Ticket(), "session-1");
        var keys = a.GetRequiredService<ReloadableKeyManager>();
        var readsBefore = keys.ReadsStarted;

        Assert.Throws<SessionStoreUnavailableException>(() => tickets.Unprotect(foreign, "session-1"));
        await Polling.UntilAsync(() => Task.FromResult(keys.LastRead.Number > readsBefore), TimeSpan.FromSeconds(10), "a later read of the ring");

        Assert.Null(tickets.Unprotect(foreign, "session-1"));
        Assert.Null(tickets.Unprotect(foreign, "session-1"));
    }

    [Fact]
    public async Task While_the_ring_cannot_be_read_again_the_ticket_is_never_unreadable()
    {
        var repository = new FailingRepository(SharedRing);
        var a = Instance(SharedRing, repository);
        var tickets = a.GetRequiredService<SessionTicketProtector>();
        tickets.Protect(Ticket(), "session-1");
        RunningForHours(a);
        var b = Instance(SharedRing);
        b.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        var rewritten = b.GetRequiredService<SessionTicketProtector>().Protect(Ticket(), "session-1");

        repository.Fails = true;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // However long it takes: a read that failed says nothing about the key.
            Assert.Throws<SessionStoreUnavailableException>(() => tickets.Unprotect(rewritten, "session-1"));
            await Polling.UntilAsync(() => Task.FromResult(repository.FailedReads > 0), TimeSpan.FromSeconds(10), "a failed read of the ring");
            _time.Advance(KeyRingReload.MinReloadInterval);
        }
    }

    [Fact]
    public void With_a_key_manager_the_app_registered_after_the_bff_an_unknown_key_is_unreadable_as_before()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddDataProtection().PersistKeysToFileSystem(SharedRing);
        ReloadableKeyManager.Register(services);
        services.AddSingleton<IKeyManager>(sp => ActivatorUtilities.CreateInstance<XmlKeyManager>(sp));
        services.AddSingleton<KeyRingReload>();
        services.AddSingleton<SessionTicketProtector>();
        using var instance = services.BuildServiceProvider();
        _rings.Add(Directory.CreateTempSubdirectory("bff-other-ring-"));
        var foreign = Instance(_rings[1]).GetRequiredService<SessionTicketProtector>().Protect(Ticket(), "session-1");

        Assert.Null(instance.GetRequiredService<SessionTicketProtector>().Unprotect(foreign, "session-1"));
    }

    [Fact]
    public void A_tampered_ticket_under_a_known_key_is_unreadable_at_once()
    {
        var tickets = Instance(SharedRing).GetRequiredService<SessionTicketProtector>();
        var stored = tickets.Protect(Ticket(), "session-1");
        stored[^1] ^= 0x01;

        Assert.Null(tickets.Unprotect(stored, "session-1"));
    }

    [Fact]
    public void The_key_manager_is_wrapped_once_and_data_protection_uses_it()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().PersistKeysToFileSystem(SharedRing);
        ReloadableKeyManager.Register(services);
        ReloadableKeyManager.Register(services);
        using var instance = services.BuildServiceProvider();

        Assert.IsType<ReloadableKeyManager>(instance.GetRequiredService<IKeyManager>());
        Assert.Single(services, d => d.ServiceType == typeof(ReloadableKeyManager));
        Assert.Equal("x", System.Text.Encoding.UTF8.GetString(
            instance.GetDataProtector("p").Unprotect(instance.GetDataProtector("p").Protect("x"u8.ToArray()))));
    }
}
