using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bff.Tests.Sessions;

public sealed class SessionStoreUnavailableMiddlewareTests
{
    private static async Task<HttpContext> RunAsync(RequestDelegate next, Action<HttpRequest>? request = null)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        request?.Invoke(context.Request);
        await new SessionStoreUnavailableMiddleware(next, NullLogger<SessionStoreUnavailableMiddleware>.Instance).InvokeAsync(context);
        context.Response.Body.Position = 0;
        return context;
    }

    private static string Body(HttpContext context) => new StreamReader(context.Response.Body).ReadToEnd();

    [Fact]
    public async Task An_unavailable_store_is_503_problem_json_for_api_calls()
    {
        var context = await RunAsync(_ => throw new SessionStoreUnavailableException("down"), request => request.Headers["X-CSRF"] = "1");

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal("5", context.Response.Headers.RetryAfter);
        Assert.Equal("session_store_unavailable", JsonDocument.Parse(Body(context)).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Wrapped_inside_another_exception_it_is_still_found()
    {
        var context = await RunAsync(_ => throw new System.Security.Cryptography.CryptographicException("wrapped",
            new InvalidOperationException("key ring", new SessionStoreUnavailableException("down"))), request => request.Headers["X-CSRF"] = "1");

        Assert.Equal(503, context.Response.StatusCode);
    }

    [Fact]
    public async Task Anything_but_an_api_call_gets_a_readable_page()
    {
        var context = await RunAsync(_ => throw new SessionStoreUnavailableException("down"),
            request => request.Headers["Sec-Fetch-Mode"] = "navigate");

        Assert.Equal(503, context.Response.StatusCode);
        Assert.StartsWith("text/html", context.Response.ContentType);
        Assert.Contains("Back to the app", Body(context));
    }

    [Fact]
    public async Task Other_exceptions_pass_through()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(_ => throw new InvalidOperationException("bug")));
    }
}
