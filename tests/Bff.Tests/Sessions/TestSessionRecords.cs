namespace Bff.Tests.Sessions;

/// <summary>Session records for tests of the stores and of what reads them: alice's, active now, with a stand-in ticket.</summary>
internal static class TestSessionRecords
{
    /// <summary>Created and active at <paramref name="now"/>; idle expiry after <paramref name="lifetime"/> (15 minutes), absolute after 8 hours.</summary>
    public static SessionRecord Alice(string id, DateTimeOffset now, TimeSpan? lifetime = null) => new()
    {
        Id = id,
        PublicId = "p-" + id,
        Subject = "alice",
        CreatedAt = now,
        LastActivityAt = now,
        AbsoluteExpiresAt = now.AddHours(8),
        ExpiresAt = now + (lifetime ?? TimeSpan.FromMinutes(15)),
        Ticket = [1, 2, 3],
    };
}
