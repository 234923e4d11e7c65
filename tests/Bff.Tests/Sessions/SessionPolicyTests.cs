using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Sessions;

public sealed class SessionPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);

    private static SessionPolicy Policy(TimeSpan? idle = null, TimeSpan? absolute = null) =>
        new(Options.Create(new BffOptions
        {
            Session = new SessionOptions
            {
                IdleTimeout = idle ?? TimeSpan.FromMinutes(15),
                AbsoluteLifetime = absolute ?? TimeSpan.FromHours(8),
            },
        }));

    internal static SessionRecord Session(DateTimeOffset createdAt, DateTimeOffset lastActivityAt, DateTimeOffset absoluteExpiresAt, DateTimeOffset expiresAt) => new()
    {
        Id = "id",
        PublicId = "public",
        Subject = "alice",
        CreatedAt = createdAt,
        LastActivityAt = lastActivityAt,
        AbsoluteExpiresAt = absoluteExpiresAt,
        ExpiresAt = expiresAt,
        Ticket = [1, 2, 3],
    };

    [Fact]
    public void Absolute_expiry_is_creation_plus_the_absolute_lifetime()
    {
        Assert.Equal(T0.AddHours(8), Policy().AbsoluteExpiry(T0));
    }

    [Fact]
    public void Expiry_is_the_idle_limit_while_it_comes_first()
    {
        Assert.Equal(T0.AddMinutes(15), Policy().Expiry(T0, T0.AddHours(8)));
    }

    [Fact]
    public void Expiry_never_passes_the_absolute_limit()
    {
        var absolute = T0.AddHours(8);

        Assert.Equal(absolute, Policy().Expiry(absolute.AddMinutes(-5), absolute));
    }

    [Fact]
    public void Session_is_expired_at_its_expiry_not_a_tick_before()
    {
        var session = Session(T0, T0, T0.AddHours(8), T0.AddMinutes(15));
        var policy = Policy();

        Assert.False(policy.IsExpired(session, T0.AddMinutes(15).AddTicks(-1)));
        Assert.True(policy.IsExpired(session, T0.AddMinutes(15)));
    }

    [Theory]
    [InlineData(15 * 60, 45)] // 15 min / 20 = 45 s
    [InlineData(60 * 60, 60)] // capped at one minute
    [InlineData(20, 1)]
    public void Activity_granularity_is_a_twentieth_of_the_idle_timeout_at_most_a_minute(int idleSeconds, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Policy(idle: TimeSpan.FromSeconds(idleSeconds)).ActivityGranularity);
    }

    [Fact]
    public void Activity_within_the_granularity_writes_nothing()
    {
        var policy = Policy();
        var session = Session(T0, T0, T0.AddHours(8), T0.AddMinutes(15));

        Assert.Null(policy.RecordActivity(session, T0.AddSeconds(44)));
    }

    [Fact]
    public void Activity_after_the_granularity_slides_the_idle_expiry()
    {
        var policy = Policy();
        var session = Session(T0, T0, T0.AddHours(8), T0.AddMinutes(15));
        var now = T0.AddMinutes(10);

        var active = policy.RecordActivity(session, now);

        Assert.NotNull(active);
        Assert.Equal(now, active.LastActivityAt);
        Assert.Equal(now.AddMinutes(15), active.ExpiresAt);
        Assert.Equal(session.AbsoluteExpiresAt, active.AbsoluteExpiresAt);
        Assert.Equal(session.CreatedAt, active.CreatedAt);
        Assert.Equal(session.Ticket, active.Ticket);
    }

    [Fact]
    public void Activity_near_the_absolute_limit_does_not_extend_past_it()
    {
        var policy = Policy();
        var absolute = T0.AddHours(8);
        var session = Session(T0, absolute.AddMinutes(-10), absolute, absolute);

        var active = policy.RecordActivity(session, absolute.AddMinutes(-5));

        Assert.Equal(absolute, active!.ExpiresAt);
    }

    [Fact]
    public void A_busy_session_still_ends_at_the_absolute_limit()
    {
        var policy = Policy();
        var session = Session(T0, T0, policy.AbsoluteExpiry(T0), policy.Expiry(T0, policy.AbsoluteExpiry(T0)));

        for (var now = T0; now < T0.AddHours(9); now = now.AddMinutes(5))
        {
            if (policy.IsExpired(session, now))
            {
                Assert.Equal(T0.AddHours(8), now);
                return;
            }

            session = policy.RecordActivity(session, now) ?? session;
        }

        Assert.Fail("The session outlived its absolute lifetime.");
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("?slide=true", true)]
    [InlineData("?slide=false", false)]
    [InlineData("?slide=FALSE", false)]
    [InlineData("?slide=no", true)]
    public void Requests_slide_unless_they_say_slide_false(string query, bool slides)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);

        Assert.Equal(slides, SessionPolicy.Slides(context));
    }

    [Fact]
    public void Work_outside_a_request_slides()
    {
        Assert.True(SessionPolicy.Slides(null));
    }
}
