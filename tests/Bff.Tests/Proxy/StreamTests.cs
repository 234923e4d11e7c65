using System.Text;
using Bff.Tests.Oidc;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Proxy;

/// <summary>
/// A proxied call made with the user's token (a stream of server-sent events or of JSON, an answer still awaited) is
/// aborted when its session ends (the browser's request and the call to the API), whether the session ended on this
/// instance or elsewhere; other sessions' calls go on.
/// </summary>
public sealed class StreamTests : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _servers = [];
    private LocalHttpServer _api = null!;
    private int _abortedCalls;
    private readonly TaskCompletionSource _slowCallArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task<ProxiedBff> StartAsync(TimeSpan checkInterval)
    {
        // Sends an event every 50 ms until the BFF hangs up (as ?type=, server-sent events by default), and counts the
        // calls that ended that way. /api/slow answers nothing until the BFF hangs up.
        _api = await LocalHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = context.Request.Query["type"].FirstOrDefault() ?? "text/event-stream";
            try
            {
                if (context.Request.Path == "/api/slow")
                {
                    _slowCallArrived.TrySetResult();
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }

                for (var i = 0; ; i++)
                {
                    await context.Response.WriteAsync($"data: {i}\n\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(50, context.RequestAborted);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                Interlocked.Increment(ref _abortedCalls);
            }
        });
        _servers.Add(_api);
        var bff = await ProxiedBff.StartAsync(
            new Dictionary<string, string> { ["Destinations:d1:Address"] = _api.Url },
            new Dictionary<string, string> { ["Metadata:Bff.TokenType"] = "User" },
            new Dictionary<string, string> { ["Bff:Session:StreamCheckInterval"] = checkInterval.ToString("c") });
        _servers.Add(bff);
        return bff;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Enumerable.Reverse(_servers))
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ending_the_session_here_closes_its_stream_at_once_and_not_another_users()
    {
        var bff = await StartAsync(checkInterval: TimeSpan.FromHours(1));
        using var alice = await OpenStreamAsync(bff, "alice");
        using var bob = await OpenStreamAsync(bff, "bob");

        await bff.Services.GetRequiredService<SessionTerminator>().EndAsync(await StorageIdAsync(bff, "alice"), SessionEndReason.SignOutEverywhere);

        await alice.AssertClosedAsync();
        await Polling.UntilAsync(() => Task.FromResult(Volatile.Read(ref _abortedCalls) == 1), TimeSpan.FromSeconds(10), "the API's call aborted");
        await bob.AssertStillStreamingAsync();

        // The SPA's next call learns why.
        using var http = new HttpClient();
        using var next = new HttpRequestMessage(HttpMethod.Get, bff.Url + "/api/orders");
        next.Headers.Add("X-CSRF", "1");
        next.Headers.Add("Cookie", alice.Cookie);
        using var answer = await http.SendAsync(next);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("\"session_ended\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_ended_elsewhere_closes_its_stream_at_the_next_check()
    {
        var bff = await StartAsync(checkInterval: TimeSpan.FromMilliseconds(200));
        using var alice = await OpenStreamAsync(bff, "alice");
        using var bob = await OpenStreamAsync(bff, "bob");
        await alice.AssertStillStreamingAsync();

        // Another instance ended it: gone from the store, and nobody here was told.
        await bff.Services.GetRequiredService<ISessionStore>().RemoveAsync(await StorageIdAsync(bff, "alice"), CancellationToken.None);

        await alice.AssertClosedAsync();
        await bob.AssertStillStreamingAsync();
        Assert.Equal(1, bff.Services.GetRequiredService<SessionCalls>().Count);
    }

    [Fact]
    public async Task A_stream_of_json_is_aborted_as_well()
    {
        var bff = await StartAsync(checkInterval: TimeSpan.FromHours(1));
        using var alice = await OpenStreamAsync(bff, "alice", "/api/feed?type=application/json");

        await bff.Services.GetRequiredService<SessionTerminator>().EndAsync(await StorageIdAsync(bff, "alice"), SessionEndReason.SignOut);

        await alice.AssertClosedAsync();
    }

    [Fact]
    public async Task A_call_whose_answer_has_not_begun_when_the_session_ends_is_aborted_at_once()
    {
        var bff = await StartAsync(checkInterval: TimeSpan.FromHours(1));
        using var browser = await bff.SignedInBrowserAsync("alice", accessToken: "at-alice");
        var call = browser.GetAsync("/api/slow");
        await _slowCallArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await bff.Services.GetRequiredService<SessionTerminator>().EndAsync(await StorageIdAsync(bff, "alice"), SessionEndReason.SignOut);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        await Polling.UntilAsync(() => Task.FromResult(Volatile.Read(ref _abortedCalls) == 1), TimeSpan.FromSeconds(10), "the API's call aborted");
        Assert.Equal(0, bff.Services.GetRequiredService<SessionCalls>().Count);
    }

    [Fact]
    public async Task Calls_that_are_done_are_forgotten()
    {
        var bff = await StartAsync(checkInterval: TimeSpan.FromHours(1));
        using (var alice = await OpenStreamAsync(bff, "alice"))
        {
            Assert.Equal(1, bff.Services.GetRequiredService<SessionCalls>().Count);
        }

        // The browser hung up: the BFF's request ends with the API's.
        await Polling.UntilAsync(() => Task.FromResult(bff.Services.GetRequiredService<SessionCalls>().Count == 0), TimeSpan.FromSeconds(10), "the call forgotten");
    }

    private static async Task<string> StorageIdAsync(ProxiedBff bff, string sub) =>
        Assert.Single(await bff.Services.GetRequiredService<ISessionStore>().GetBySubjectAsync(sub, CancellationToken.None)).Id;

    private static async Task<EventStream> OpenStreamAsync(ProxiedBff bff, string sub, string path = "/api/events")
    {
        using var browser = await bff.SignedInBrowserAsync(sub, accessToken: "at-" + sub);
        var cookie = browser.SessionCookie!;
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, bff.Url + path);
        request.Headers.Add("X-CSRF", "1");
        request.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}");
        var stream = new EventStream(http, response, new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8))
        {
            Cookie = $"{cookie.Name}={cookie.Value}",
        };
        await stream.AssertStillStreamingAsync();
        return stream;
    }

    private sealed class EventStream(HttpClient http, HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        /// <summary>The Cookie header of the stream's session.</summary>
        public required string Cookie { get; init; }

        /// <summary>Reads the next event: the API is still heard.</summary>
        public async Task AssertStillStreamingAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var line = await reader.ReadLineAsync(timeout.Token);
            Assert.StartsWith("data: ", line);
            Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
        }

        /// <summary>Reads until the BFF hangs up, which it must within seconds (a check interval in the tests).</summary>
        public async Task AssertClosedAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await Assert.ThrowsAnyAsync<IOException>(async () =>
            {
                while (await reader.ReadLineAsync(timeout.Token) is not null)
                {
                }
            });
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            http.Dispose();
        }
    }
}
