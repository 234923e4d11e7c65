using Microsoft.Extensions.Time.Testing;

namespace Bff.Tests.Sessions;

/// <summary>The single instance's memory of why sessions ended, and of who must sign in again, at its cap.</summary>
public sealed class InMemoryEndedSessionStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task At_the_cap_a_new_end_is_remembered_and_the_entries_due_soonest_make_room()
    {
        var store = new InMemoryEndedSessionStore(_time);
        var now = _time.GetUtcNow();
        // A realistic flood: the cap filled with ends kept for 1 to 100,000 minutes.
        for (var i = 0; i < InMemoryEndedSessionStore.MaxEntries; i++)
        {
            await store.RememberAsync("s" + i, SessionEndReason.SignOutEverywhere, now.AddMinutes(i + 1), default);
        }

        Assert.Equal(InMemoryEndedSessionStore.MaxEntries, store.Count);

        // A browser signed out from elsewhere must still be asked to sign in again, whatever came before.
        await store.RememberAsync("newest", SessionEndReason.BackChannel, now.AddMinutes(30), default);

        Assert.Equal(SessionEndReason.BackChannel, await store.FindAsync("newest", default));
        Assert.InRange(store.Count, InMemoryEndedSessionStore.MaxEntries * 9 / 10, InMemoryEndedSessionStore.MaxEntries);
        // Those closest to being dropped anyway went first; the longest-kept are still there.
        Assert.Null(await store.FindAsync("s0", default));
        Assert.Equal(SessionEndReason.SignOutEverywhere, await store.FindAsync("s" + (InMemoryEndedSessionStore.MaxEntries - 1), default));
    }

    // A flood of plain ends must not push out the demands to sign in again, even those due to expire sooner.
    [Fact]
    public async Task At_the_cap_plain_end_reasons_make_room_before_demands_to_sign_in_again()
    {
        var store = new InMemoryEndedSessionStore(_time);
        var now = _time.GetUtcNow();
        var half = InMemoryEndedSessionStore.MaxEntries / 2;
        for (var i = 0; i < half; i++)
        {
            await store.RememberAsync(ReauthenticationRequirement.KeyPrefix + "r" + i, SessionEndReason.BackChannel, now.AddMinutes(1 + i % 60), default);
            await store.RememberAsync("p" + i, SessionEndReason.SessionLimit, now.AddHours(8), default);
        }

        await store.RememberAsync("newest", SessionEndReason.SessionLimit, now.AddHours(8), default);

        Assert.Equal(SessionEndReason.SessionLimit, await store.FindAsync("newest", default));
        for (var i = 0; i < half; i++)
        {
            Assert.Equal(SessionEndReason.BackChannel, await store.FindAsync(ReauthenticationRequirement.KeyPrefix + "r" + i, default));
        }

        Assert.True(store.Count < InMemoryEndedSessionStore.MaxEntries);
    }

    [Fact]
    public async Task Expired_entries_are_not_found_and_are_swept()
    {
        var store = new InMemoryEndedSessionStore(_time);
        await store.RememberAsync("old", SessionEndReason.SignOut, _time.GetUtcNow().AddMinutes(1), default);
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.Null(await store.FindAsync("old", default));
        for (var i = 0; i < 256; i++)
        {
            await store.RememberAsync("n" + i, SessionEndReason.SignOut, _time.GetUtcNow().AddMinutes(1), default);
        }

        Assert.Equal(256, store.Count);
    }
}
