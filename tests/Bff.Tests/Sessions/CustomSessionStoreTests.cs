using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Sessions;

/// <summary>A stack whose sessions live in an application's own <see cref="ISessionStore"/>.</summary>
public sealed class CustomSessionStoreFixture : StackFixture
{
    public DictionarySessionStore Store { get; } = new();

    protected override TestStackOptions Options => new()
    {
        ConfigureBff = builder => builder.Services.AddSingleton<ISessionStore>(Store),
    };
}

/// <summary><see cref="ISessionStore"/> is an extension point: an application's own store serves the whole session flow.</summary>
public sealed class CustomSessionStoreTests(CustomSessionStoreFixture fixture) : IClassFixture<CustomSessionStoreFixture>
{
    [Fact]
    public async Task Sign_in_user_and_sign_out_go_through_the_applications_store()
    {
        using var browser = fixture.Stack.NewBrowser();
        await browser.SignInAsync("custom-store-cleo");

        var stored = Assert.Single(fixture.Store.Sessions, s => s.Subject == "custom-store-cleo");
        Assert.Equal("custom-store-cleo", (await browser.UserAsync())["sub"].GetString());
        Assert.True(fixture.Store.Reads > 0);

        await browser.SignOutAsync();

        Assert.DoesNotContain(fixture.Store.Sessions, s => s.Id == stored.Id);
        using var after = await browser.GetAsync("/bff/user");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}

/// <summary>A deliberately plain store, written against the interface only.</summary>
public sealed class DictionarySessionStore : ISessionStore
{
    private readonly ConcurrentDictionary<string, SessionRecord> _sessions = new(StringComparer.Ordinal);
    private int _reads;

    public IEnumerable<SessionRecord> Sessions => _sessions.Values;

    public int Reads => _reads;

    public Task SaveAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        _sessions[session.Id] = session;
        return Task.CompletedTask;
    }

    public Task<SessionRecord?> ReplaceTicketAsync(string id, byte[] ticket, CancellationToken cancellationToken) =>
        Task.FromResult(Update(id, s => s with { Ticket = ticket, Stamp = Random.Shared.NextInt64(1, long.MaxValue) }));

    public Task<SessionRecord?> TouchAsync(string id, DateTimeOffset lastActivityAt, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Task.FromResult(Update(id, s => s with { LastActivityAt = lastActivityAt, ExpiresAt = expiresAt }));

    public Task<SessionRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return Task.FromResult(_sessions.TryGetValue(id, out var session) ? session : null);
    }

    public Task<SessionState?> GetStateAsync(string id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return Task.FromResult(_sessions.TryGetValue(id, out var s) ? new SessionState(s.Stamp, s.LastActivityAt, s.ExpiresAt) : (SessionState?)null);
    }

    public Task<SessionRecord?> RemoveAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryRemove(id, out var removed) ? removed : null);

    public Task<IReadOnlyList<SessionRecord>> GetBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        Live(s => s.Subject == subject);

    public Task<IReadOnlyList<SessionRecord>> GetByProviderSessionAsync(string providerSessionId, CancellationToken cancellationToken) =>
        Live(s => s.ProviderSessionId == providerSessionId);

    public Task<long> CountAsync(CancellationToken cancellationToken) => Task.FromResult((long)_sessions.Count);

    private Task<IReadOnlyList<SessionRecord>> Live(Func<SessionRecord, bool> match) =>
        Task.FromResult<IReadOnlyList<SessionRecord>>(_sessions.Values.Where(s => match(s) && s.ExpiresAt > DateTimeOffset.UtcNow).ToList());

    private SessionRecord? Update(string id, Func<SessionRecord, SessionRecord> change)
    {
        while (_sessions.TryGetValue(id, out var current))
        {
            if (_sessions.TryUpdate(id, change(current), current))
            {
                return _sessions[id];
            }
        }

        return null;
    }
}
