using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Endpoints;

public sealed class EndpointReplacementTests
{
    private sealed class FixedUserEndpoint : IUserEndpoint
    {
        public Task ProcessRequestAsync(HttpContext context)
        {
            context.Response.StatusCode = StatusCodes.Status418ImATeapot;
            return context.Response.WriteAsync("mine");
        }
    }

    [Fact]
    public async Task An_apps_own_endpoint_answers_on_the_bffs_route_with_its_rules()
    {
        await using var bff = await InProcessBff.StartAsync(services: s => s.AddSingleton<IUserEndpoint, FixedUserEndpoint>());

        using var answered = await bff.SendAsync(HttpMethod.Get, "/bff/user");
        Assert.Equal((HttpStatusCode)418, answered.StatusCode);
        Assert.Equal("mine", await answered.Content.ReadAsStringAsync());

        // The route keeps its anti-forgery rule: the replacement is not reached without the header.
        using var forged = await bff.SendAsync(HttpMethod.Get, "/bff/user", antiforgery: false);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task Each_endpoint_is_a_resolvable_service()
    {
        await using var bff = await InProcessBff.StartAsync();

        Assert.IsType<LoginEndpoint>(bff.Services.GetRequiredService<ILoginEndpoint>());
        Assert.IsType<LogoutEndpoint>(bff.Services.GetRequiredService<ILogoutEndpoint>());
        Assert.IsType<UserEndpoint>(bff.Services.GetRequiredService<IUserEndpoint>());
        Assert.IsType<SessionsEndpoint>(bff.Services.GetRequiredService<ISessionsEndpoint>());
        Assert.IsType<BackChannelLogoutEndpoint>(bff.Services.GetRequiredService<IBackChannelLogoutEndpoint>());
    }
}
