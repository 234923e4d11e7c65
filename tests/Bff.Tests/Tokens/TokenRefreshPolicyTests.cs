using Microsoft.Extensions.Options;

namespace Bff.Tests.Tokens;

public sealed class TokenRefreshPolicyTests
{
    private static readonly DateTimeOffset Issued = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TokenRefreshPolicy Policy(TimeSpan margin) =>
        new(Options.Create(new BffOptions { Tokens = { RefreshBeforeExpiry = margin } }));

    [Fact]
    public void A_long_lived_token_is_due_within_the_configured_margin()
    {
        var policy = Policy(TimeSpan.FromSeconds(60));
        var expires = Issued.AddMinutes(10);

        Assert.False(policy.IsDue(Issued, expires, expires.AddSeconds(-61)));
        Assert.True(policy.IsDue(Issued, expires, expires.AddSeconds(-60)));
        Assert.True(policy.IsDue(Issued, expires, expires.AddSeconds(5)));
    }

    [Fact]
    public void A_short_lived_token_is_refreshed_no_earlier_than_half_its_lifetime()
    {
        var policy = Policy(TimeSpan.FromSeconds(60));
        var expires = Issued.AddSeconds(10);

        Assert.Equal(TimeSpan.FromSeconds(5), policy.MarginFor(TimeSpan.FromSeconds(10)));
        Assert.False(policy.IsDue(Issued, expires, Issued.AddSeconds(4.9)));
        Assert.True(policy.IsDue(Issued, expires, Issued.AddSeconds(5)));
    }

    [Fact]
    public void Without_a_known_issue_time_the_configured_margin_applies()
    {
        var policy = Policy(TimeSpan.FromSeconds(30));
        var expires = Issued.AddMinutes(1);

        Assert.False(policy.IsDue(null, expires, expires.AddSeconds(-31)));
        Assert.True(policy.IsDue(null, expires, expires.AddSeconds(-30)));
    }

    [Fact]
    public void A_token_without_expiry_is_never_due_but_a_missing_token_is()
    {
        var policy = Policy(TimeSpan.FromSeconds(60));

        Assert.False(policy.IsDue(Issued, null, Issued.AddYears(1)));
        Assert.True(policy.IsDue(new SessionTokens(null, "rt", null, null), Issued));
    }
}
