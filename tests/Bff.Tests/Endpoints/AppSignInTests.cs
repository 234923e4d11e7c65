using System.Net;
using Bff.Tests.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Endpoints;

/// <summary>An app's own <c>SignInAsync</c> on the session cookie's scheme, on a request that is already signed in.</summary>
public sealed class AppSignInTests
{
    // The authentication middleware had read the old cookie, so the framework renewed the session the sign-in had
    // just ended: the new sign-in was lost and the browser got the old, ended key back (next request: 401).
    [Fact]
    public async Task Signing_in_over_a_live_session_ends_it_and_the_new_session_serves()
    {
        await using var bff = await InProcessBff.StartAsync();
        var store = bff.Services.GetRequiredService<ISessionStore>();
        var alice = await bff.SignInAsync("alice");

        using var signIn = await bff.SendAsync(HttpMethod.Get, "/app-sign-in/bob", alice, antiforgery: false);

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var bob = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("bff=", StringComparison.Ordinal)).Split(';')[0];
        Assert.NotEqual(alice, bob);
        Assert.Empty(await store.GetBySubjectAsync("alice", CancellationToken.None));
        Assert.Single(await store.GetBySubjectAsync("bob", CancellationToken.None));

        using var user = await bff.SendAsync(HttpMethod.Get, "/bff/user", bob);
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        Assert.Contains("\"bob\"", await user.Content.ReadAsStringAsync());
        using var old = await bff.SendAsync(HttpMethod.Get, "/bff/user", alice);
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
    }

    [Fact]
    public async Task Signing_in_without_a_session_stores_one()
    {
        await using var bff = await InProcessBff.StartAsync();

        using var signIn = await bff.SendAsync(HttpMethod.Get, "/app-sign-in/carol", antiforgery: false);

        var carol = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("bff=", StringComparison.Ordinal)).Split(';')[0];
        using var user = await bff.SendAsync(HttpMethod.Get, "/bff/user", carol);
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
    }
}
