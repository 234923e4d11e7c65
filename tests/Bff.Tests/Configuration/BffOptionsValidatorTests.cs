
namespace Bff.Tests.Configuration;

public sealed class BffOptionsValidatorTests
{
    private static BffOptions Valid() => new()
    {
        Authority = "https://login.example.com",
        ClientId = "bff",
        ClientSecret = "secret",
    };

    private static IReadOnlyList<string> Errors(BffOptions options) =>
        new BffOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void A_complete_setup_is_valid()
    {
        Assert.True(new BffOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Fact]
    public void Http_authority_is_valid_only_with_require_https_metadata_off()
    {
        var options = Valid();
        options.Authority = "http://localhost:5001";

        Assert.Contains(Errors(options), e => e.Contains("Bff:RequireHttpsMetadata", StringComparison.Ordinal));

        options.RequireHttpsMetadata = false;
        Assert.Empty(Errors(options));
    }

    [Theory]
    [InlineData("")]
    [InlineData("login.example.com")]
    [InlineData("/relative")]
    [InlineData("ftp://login.example.com")]
    public void Authority_must_be_an_absolute_http_url(string authority)
    {
        var options = Valid();
        options.Authority = authority;

        Assert.Contains(Errors(options), e => e.StartsWith("Bff:Authority", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("bff session")] // each of these would make every sign-in's Set-Cookie throw
    [InlineData("bff;x")]
    [InlineData("bff=x")]
    [InlineData("bff,x")]
    [InlineData("b\u00e9ff")]
    [InlineData("__Host-bff")]
    public void Cookie_name_must_be_a_plain_token(string name)
    {
        var options = Valid();
        options.CookieName = name;

        Assert.Contains(Errors(options), e => e.StartsWith("Bff:CookieName ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("bff")]
    [InlineData("my-app.session_1")]
    public void Plain_cookie_names_are_valid(string name)
    {
        var options = Valid();
        options.CookieName = name;

        Assert.Empty(Errors(options));
    }

    [Fact]
    public void A_negative_clock_skew_is_refused()
    {
        // Every id_token and logout token check would throw on it at run time.
        var options = Valid();
        options.ClockSkew = TimeSpan.FromSeconds(-1);
        Assert.Contains(Errors(options), e => e.StartsWith("Bff:ClockSkew ", StringComparison.Ordinal));

        options.ClockSkew = TimeSpan.Zero;
        Assert.Empty(Errors(options));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_the_key_to_fix()
    {
        var options = new BffOptions
        {
            Authority = "",
            ClientId = " ",
            ClientSecret = "",
            Scopes = ["profile"],
            CallbackPath = "signin",
            SignedOutCallbackPath = "",
            CookieName = "__Host-bff",
            Session = new Bff.Configuration.SessionOptions
            {
                IdleTimeout = TimeSpan.Zero, AbsoluteLifetime = TimeSpan.FromHours(-1), MaxPerUser = 0, AuditRetention = TimeSpan.Zero, AuditLogMaxEvents = 999,
                StreamCheckInterval = TimeSpan.Zero,
            },
            Tokens = new Bff.Configuration.TokenOptions { RefreshBeforeExpiry = TimeSpan.FromSeconds(-1) },
        };

        var errors = Errors(options);

        foreach (var key in new[]
        {
            "Bff:Authority", "Bff:ClientId", "Bff:ClientSecret", "Bff:Scopes", "Bff:CallbackPath", "Bff:SignedOutCallbackPath",
            "Bff:CookieName", "Bff:Session:IdleTimeout", "Bff:Session:AbsoluteLifetime", "Bff:Session:MaxPerUser",
            "Bff:Session:AuditRetention", "Bff:Session:AuditLogMaxEvents", "Bff:Session:StreamCheckInterval", "Bff:Tokens:RefreshBeforeExpiry",
        })
        {
            Assert.Contains(errors, e => e.StartsWith(key + " ", StringComparison.Ordinal));
        }

        Assert.Equal(14, errors.Count);
    }

    [Fact]
    public void Default_scopes_are_used_when_none_are_configured()
    {
        Assert.Equal(["openid", "profile", "email", "offline_access"], Valid().EffectiveScopes);
    }

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
