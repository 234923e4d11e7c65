
namespace Bff.Tests.Redis;

public sealed class RedisSessionFormatTests
{
    internal static SessionRecord Sample(string? sid = "sid-1", string? userAgent = "Mozilla/5.0 (X11) – ü") => new()
    {
        Id = "storage-id",
        PublicId = "public-id",
        Subject = "alice",
        ProviderSessionId = sid,
        CreatedAt = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234567),
        LastActivityAt = new DateTimeOffset(2030, 1, 2, 3, 14, 5, TimeSpan.Zero).AddTicks(1),
        AbsoluteExpiresAt = new DateTimeOffset(2030, 1, 2, 11, 4, 5, TimeSpan.Zero),
        ExpiresAt = new DateTimeOffset(2030, 1, 2, 3, 29, 5, TimeSpan.Zero),
        UserAgent = userAgent,
        IpAddress = "::1",
        Ticket = [1, 2, 3, 0, 255],
    };

    [Theory]
    [InlineData("sid-1", "Mozilla/5.0 (X11) – ü")]
    [InlineData(null, null)]
    public void Round_trips_every_field(string? sid, string? userAgent)
    {
        var session = Sample(sid, userAgent);

        var read = RedisSessionFormat.Read(session.Id, RedisSessionFormat.WriteMeta(session), session.Ticket,
            RedisSessionFormat.WriteInstant(session.LastActivityAt), RedisSessionFormat.WriteInstant(session.ExpiresAt), RedisSessionFormat.WriteStamp(session.Stamp));

        Assert.Equal(session with { Ticket = read.Ticket }, read);
        Assert.Equal(session.Ticket, read.Ticket);
        Assert.Equal(session.CreatedAt.UtcTicks, read.CreatedAt.UtcTicks);
    }

    [Fact]
    public void A_record_written_without_a_stamp_reads_as_stamp_0()
    {
        var session = Sample();
        var instant = RedisSessionFormat.WriteInstant(session.ExpiresAt);

        var read = RedisSessionFormat.Read(session.Id, RedisSessionFormat.WriteMeta(session), session.Ticket, instant, instant, null);

        Assert.Equal(0, read.Stamp);
        Assert.NotEqual(0, session.Stamp);
    }

    [Fact]
    public void Metadata_is_compact()
    {
        Assert.InRange(RedisSessionFormat.WriteMeta(Sample()).Length, 1, 100);
    }

    [Fact]
    public void Unknown_version_or_truncated_fields_are_a_format_error()
    {
        var meta = RedisSessionFormat.WriteMeta(Sample());
        var instant = RedisSessionFormat.WriteInstant(DateTimeOffset.UnixEpoch);

        Assert.Throws<FormatException>(() => RedisSessionFormat.Read("x", [9, .. meta[1..]], [], instant, instant, "1"));
        Assert.Throws<FormatException>(() => RedisSessionFormat.Read("x", meta[..10], [], instant, instant, "1"));
        Assert.Throws<FormatException>(() => RedisSessionFormat.Read("x", meta, [], "not-a-number", instant, "1"));
        Assert.Throws<FormatException>(() => RedisSessionFormat.Read("x", meta, [], instant, instant, "-5"));
    }
}
