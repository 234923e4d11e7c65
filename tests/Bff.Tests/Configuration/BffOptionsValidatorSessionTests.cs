using Bff.Configuration;

namespace Bff.Tests.Configuration;

public sealed class BffOptionsValidatorSessionTests
{
    private static BffOptions Valid() => new()
    {
        Authority = "https://login.example.test",
        ClientId = "bff",
        ClientSecret = "secret",
    };

    [Fact]
    public void The_defaults_are_valid() =>
        Assert.True(new BffOptionsValidator().Validate(null, Valid()).Succeeded);

    [Fact]
    public void Every_session_management_problem_is_reported_at_once()
    {
        var options = Valid();
        options.TrustedProxies = ["10.0.0.0/8", "proxy.internal"];
        options.RateLimits.Login.PermitLimit = 0;
        options.RateLimits.BackChannel.Window = TimeSpan.Zero;
        options.Session.AuditEventsPerUser = 0;

        var result = new BffOptionsValidator().Validate(null, options);

        Assert.False(result.Succeeded);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("Bff:TrustedProxies entry 'proxy.internal'"));
        Assert.Contains(failures, f => f.Contains("Bff:RateLimits:Login:PermitLimit"));
        Assert.Contains(failures, f => f.Contains("Bff:RateLimits:BackChannel:Window"));
        Assert.Contains(failures, f => f.Contains("Bff:Session:AuditEventsPerUser"));
        Assert.Equal(4, failures.Count);
    }
}
