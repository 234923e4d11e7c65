using System.Net;
using System.Net.WebSockets;
using Bff.Tests.Oidc;

namespace Bff.Tests.Proxy;

/// <summary>
/// WebSockets are not supported on remote-API routes (README, Remote APIs): a browser's WebSocket cannot send
/// <c>X-CSRF: 1</c>, so its handshake meets the anti-forgery rule like any call without the header.
/// </summary>
public sealed class WebSocketTests
{
    [Fact]
    public async Task A_handshake_as_a_browser_sends_it_is_refused_before_the_api()
    {
        // Counts what reaches it: nothing should.
        await using var api = await LocalHttpServer.StartAsync(_ => Task.CompletedTask);
        await using var bff = await ProxiedBff.StartAsync(new Dictionary<string, string> { ["Destinations:d1:Address"] = api.Url });
        using var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };

        await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(new Uri(bff.Url.Replace("http://", "ws://", StringComparison.Ordinal) + "/api/updates"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        Assert.Equal(0, api.Requests);
    }
}
