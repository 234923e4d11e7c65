using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Redis;

/// <summary>
/// Two instances on one Redis, each caching decrypted tickets: a change made through one instance (sign-out,
/// a new ticket, a back-channel logout) is what the other serves on its very next request, with its cache warm.
/// </summary>
public sealed class RedisTicketCacheTests(RedisStackFixture fixture) : IClassFixture<RedisStackFixture>
{
    private TestStack Stack => fixture.Stack;

    private BrowserClient Browser(int instance, BrowserClient? sameJar = null) => Stack.NewBrowser(instance, sameJar?.SessionCookie);

    /// <summary>Signs in on A, then calls the API on B until B holds the ticket in its cache; returns A, B and the storage id.</summary>
    private async Task<(BrowserClient OnA, BrowserClient OnB, string StorageId, JsonElement WhoamiOnB)> WarmAsync(string subject)
    {
        var onA = Browser(0);
        await onA.SignInAsync(subject);
        var onB = Browser(1, onA);
        var whoami = await onB.GetJsonAsync("/api/whoami");
        await onB.GetJsonAsync("/api/whoami");

        var id = Assert.Single(await Stack.BffServices(1).GetRequiredService<ISessionStore>().GetBySubjectAsync(subject, CancellationToken.None)).Id;
        Assert.True(Stack.BffServices(1).GetRequiredService<SessionTicketCache>().TryGet(id, out _), "instance B did not cache the ticket");
        return (onA, onB, id, whoami);
    }

    [Fact]
    public async Task Signing_out_on_one_instance_makes_the_next_request_on_the_other_401()
    {
        var (onA, onB, id, _) = await WarmAsync("cache-signout");
        using (onA)
        using (onB)
        {
            await onA.SignOutAsync();

            using var next = await onB.GetAsync("/api/whoami");
            Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
            Assert.False(Stack.BffServices(1).GetRequiredService<SessionTicketCache>().TryGet(id, out _), "the ended session's tokens stayed in memory");
        }
    }

    [Fact]
    public async Task A_ticket_rewritten_through_one_instance_is_forwarded_by_the_other_on_its_next_request()
    {
        var (onA, onB, id, before) = await WarmAsync("cache-rotate");
        using (onA)
        using (onB)
        {
            // A refresh as instance A performs it: new tokens from the provider, written with ReplaceTicketAsync.
            // B's cached token is far from due, so only the stamp tells B that the ticket changed.
            var services = Stack.BffServices(0);
            var protector = services.GetRequiredService<SessionTicketProtector>();
            var store = services.GetRequiredService<ISessionStore>();
            var ticket = protector.Unprotect((await store.GetAsync(id, CancellationToken.None))!.Ticket, id)!;
            var (status, body) = await Stack.Idp.RefreshAsync(ticket.Properties.GetTokenValue(SessionTokens.RefreshTokenName)!);
            Assert.Equal(HttpStatusCode.OK, status);
            var accessToken = body.GetProperty("access_token").GetString()!;
            ticket.Properties.UpdateTokenValue(SessionTokens.AccessTokenName, accessToken);
            ticket.Properties.UpdateTokenValue(SessionTokens.RefreshTokenName, body.GetProperty("refresh_token").GetString()!);
            Assert.NotNull(await store.ReplaceTicketAsync(id, protector.Protect(ticket, id), CancellationToken.None));

            var after = await onB.GetJsonAsync("/api/whoami");
            var newJti = JwtClaim(accessToken, "jti");
            Assert.NotEqual(before.GetProperty("jti").GetString(), newJti);
            Assert.Equal(newJti, after.GetProperty("jti").GetString());
            Assert.Equal(newJti, (await onA.GetJsonAsync("/api/whoami")).GetProperty("jti").GetString());
        }
    }

    [Fact]
    public async Task A_back_channel_logout_makes_the_next_request_on_either_instance_401()
    {
        var (onA, onB, _, _) = await WarmAsync("cache-backchannel");
        using (onA)
        using (onB)
        {
            Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/api/whoami")).StatusCode);

            var result = await Stack.Idp.EndSessionsAsync("cache-backchannel");
            Assert.Equal(1, result.GetProperty("backchannel").GetProperty("success").GetInt32());

            Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/whoami")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/api/whoami")).StatusCode);
        }
    }

    [Fact]
    public async Task A_session_record_written_without_a_stamp_is_served_but_never_cached()
    {
        using var onA = Browser(0);
        await onA.SignInAsync("cache-unstamped");
        var id = Assert.Single(await Stack.BffServices(0).GetRequiredService<ISessionStore>().GetBySubjectAsync("cache-unstamped", CancellationToken.None)).Id;
        using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString))
        {
            Assert.True(await redis.GetDatabase().HashDeleteAsync("bff:session:{" + id + "}", "s"));
        }

        using var onB = Browser(1, onA);
        Assert.Equal("cache-unstamped", (await onB.GetJsonAsync("/api/whoami")).GetProperty("sub").GetString());
        Assert.False(Stack.BffServices(1).GetRequiredService<SessionTicketCache>().TryGet(id, out _));
    }

    private static string JwtClaim(string jwt, string name) =>
        JsonDocument.Parse(Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(jwt.Split('.')[1]))).RootElement.GetProperty(name).GetString()!;
}
