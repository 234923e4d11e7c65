using System.Text;
using System.Text.Json;
using Bff.Tests.Integration;

namespace Bff.Tests.Edge;

/// <summary>The malformed requests that used to reach exception pages, each answered 4xx with a clear body.</summary>
public sealed class HostileRequestTests(StackFixture fixture) : IClassFixture<StackFixture>
{
    private int Port => fixture.Stack.BffPorts[0];

    private static byte[] Request(string method, string target, string? contentType, byte[] body, bool chunked = false, params string[] headers)
    {
        var lines = new List<string> { $"{method} {target} HTTP/1.1", "Host: localhost", "Connection: close" };
        if (contentType is not null)
        {
            lines.Add("Content-Type: " + contentType);
        }

        lines.AddRange(headers);
        lines.Add(chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {body.Length}");
        var head = Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n\r\n");
        if (!chunked)
        {
            return [.. head, .. body];
        }

        var chunks = new List<byte>();
        for (var offset = 0; offset < body.Length; offset += 4096)
        {
            var length = Math.Min(4096, body.Length - offset);
            chunks.AddRange(Encoding.ASCII.GetBytes($"{length:x}\r\n"));
            chunks.AddRange(body.AsSpan(offset, length).ToArray());
            chunks.AddRange("\r\n"u8.ToArray());
        }

        chunks.AddRange("0\r\n\r\n"u8.ToArray());
        return [.. head, .. chunks];
    }

    public static TheoryData<string, string, int> BadBackChannelBodies => new()
    {
        { "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"logout_token\"\r\n\r\nabc\r\n--x--\r\n", 400 },
        { "multipart/form-data; boundary=" + new string('b', 129), "--b\r\n\r\n", 400 },
        { "multipart/form-data; boundary=x", "logout_token=abc", 400 },
        { "application/x-www-form-urlencoded; charset=utf-7", "logout_token=+AGE-", 400 },
        { "application/x-www-form-urlencoded", string.Join("&", Enumerable.Range(0, 1100).Select(i => $"f{i}=1")), 400 },
        { "text/plain", "logout_token=abc", 400 },
        { "application/x-www-form-urlencoded", "logout_token=" + new string('x', 70 * 1024), 413 },
    };

    [Theory]
    [MemberData(nameof(BadBackChannelBodies))]
    public async Task Back_channel_refuses_bodies_that_are_not_a_small_utf8_form(string contentType, string body, int expected)
    {
        var (status, answer) = await RawHttp.SendAsync(Port, Request("POST", "/bff/backchannel", contentType, Encoding.ASCII.GetBytes(body)));

        Assert.Equal(expected, status);
        Assert.Equal("invalid_request", JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Back_channel_caps_a_chunked_body_as_it_arrives()
    {
        var body = Encoding.ASCII.GetBytes("logout_token=" + new string('x', 200 * 1024));
        var (status, answer) = await RawHttp.SendAsync(Port, Request("POST", "/bff/backchannel", "application/x-www-form-urlencoded", body, chunked: true));

        Assert.Equal(413, status);
        Assert.Equal("invalid_request", JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("CONNECT", "/health/live")]
    [InlineData("CONNECT", "/health/ready")]
    [InlineData("CONNECT", "/api/whoami")]
    [InlineData("TRACE", "/bff/user")]
    public async Task Connect_and_trace_are_refused_with_405(string method, string target)
    {
        var (status, answer) = await RawHttp.SendAsync(Port, Request(method, target, null, [], false, "X-CSRF: 1"));

        Assert.Equal(405, status);
        Assert.Equal("method_not_allowed", JsonDocument.Parse(answer).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_405_for_trace_carries_the_security_headers()
    {
        using var browser = fixture.Stack.NewBrowser();
        using var response = await browser.SendAsync(new HttpMethod("TRACE"), "/bff/user");

        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.Contains("Referrer-Policy"));
    }

    [Theory]
    [InlineData("/api/..;/bff/user")]
    [InlineData("/api/x%3b/y")]
    [InlineData("/api/%u002e%u002e/x")]
    public async Task Path_parameter_tricks_are_refused_before_forwarding(string target)
    {
        var (status, answer) = await RawHttp.SendAsync(Port, Request("GET", target, null, [], false, "X-CSRF: 1"));

        Assert.Equal(400, status);
        Assert.Equal("invalid_path", JsonDocument.Parse(answer).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_non_ascii_header_on_a_proxied_route_is_400_not_an_empty_502()
    {
        var (status, answer) = await RawHttp.SendAsync(Port, Request("GET", "/open-api/echo", null, [], false, "X-CSRF: 1", "X-Name: caf\u00e9"));

        Assert.Equal(400, status);
        Assert.Equal("invalid_request", JsonDocument.Parse(answer).RootElement.GetProperty("code").GetString());
    }
}
