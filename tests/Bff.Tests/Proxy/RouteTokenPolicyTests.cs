using Yarp.ReverseProxy.Configuration;

namespace Bff.Tests.Proxy;

public sealed class RouteTokenPolicyTests
{
    private static RouteConfig Route(string? tokenType, string key = RouteTokenPolicy.TokenTypeKey) => new()
    {
        RouteId = "orders",
        ClusterId = "api",
        Match = new RouteMatch { Path = "/api/{**rest}" },
        Metadata = tokenType is null ? null : new Dictionary<string, string> { [key] = tokenType },
    };

    [Theory]
    [InlineData("None", TokenType.None)]
    [InlineData("User", TokenType.User)]
    [InlineData("UserOrNone", TokenType.UserOrNone)]
    [InlineData("Client", TokenType.Client)]
    [InlineData("UserOrClient", TokenType.UserOrClient)]
    [InlineData("user", TokenType.User)]
    [InlineData("USER", TokenType.User)]
    [InlineData("userornone", TokenType.UserOrNone)]
    public void Known_token_types_are_read(string value, TokenType expected)
    {
        Assert.True(RouteTokenPolicy.TryGetTokenType(Route(value), out var type, out var error));
        Assert.Equal(expected, type);
        Assert.Null(error);
    }

    [Fact]
    public void Missing_metadata_is_an_error_that_names_the_route_and_the_choices()
    {
        Assert.False(RouteTokenPolicy.TryGetTokenType(Route(null), out var type, out var error));

        Assert.Equal(TokenType.None, type);
        Assert.Contains("'orders'", error);
        Assert.Contains("Metadata:Bff.TokenType", error);
        Assert.Contains("None, User, UserOrNone", error);
    }

    [Fact]
    public void Metadata_without_the_token_type_key_is_an_error()
    {
        Assert.False(RouteTokenPolicy.TryGetTokenType(Route("User", key: "Bff.Token"), out _, out var error));
        Assert.Contains("'orders'", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ClientCredentials")]
    [InlineData("Users")]
    [InlineData("Bearer")]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1 ")]
    [InlineData("0x1")]
    [InlineData("User,None")]
    [InlineData("None, User")]
    [InlineData("User|None")]
    [InlineData("User OrNone")]
    public void Unknown_or_numeric_values_are_errors(string value)
    {
        Assert.False(RouteTokenPolicy.TryGetTokenType(Route(value), out var type, out var error));

        Assert.Equal(TokenType.None, type);
        Assert.Contains($"'{value}'", error);
        Assert.Contains("'orders'", error);
    }

    [Fact]
    public void A_refused_value_never_leaves_a_token_type_that_would_attach_a_token()
    {
        // Callers that ignore the result (the proxy step after start-up validation) must see None, not a parsed leftover.
        foreach (var value in new[] { "1", "User,None", "2", "nonsense" })
        {
            RouteTokenPolicy.TryGetTokenType(Route(value), out var type, out _);
            Assert.Equal(TokenType.None, type);
        }
    }
}
