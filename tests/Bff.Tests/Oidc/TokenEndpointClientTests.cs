using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bff.Tests.Sessions;
using Microsoft.AspNetCore.Http;

namespace Bff.Tests.Oidc;

/// <summary>The token endpoint client on the provider HTTP client as AddBff registers it, against real listeners.</summary>
public sealed class TokenEndpointClientTests
{
    private const string TokenJson = """{"access_token":"at-elsewhere","refresh_token":"rt-elsewhere","token_type":"Bearer","expires_in":60}""";

    private static readonly KeyValuePair<string, string>[] RefreshForm = [new("grant_type", "refresh_token"), new("refresh_token", "rt-0")];

    // Issue: a 307/308 re-sent the form, refresh token included, to wherever it pointed and took that host's JSON as
    // the token response; 301/302 were followed as GET.
    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_not_followed_and_is_transient(int status)
    {
        await using var elsewhere = await LocalHttpServer.StartAsync(context => context.Response.WriteAsync(TokenJson));
        await using var provider = await LocalHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = elsewhere.Url + "/token";
            return context.Response.WriteAsync("""{"error":"invalid_grant"}""");
        });
        using var harness = new SessionHarness();

        var response = await harness.Get<TokenEndpointClient>().PostAsync(provider.Url + "/token", RefreshForm, CancellationToken.None);

        Assert.True(response.IsTransient, response.ErrorDescription);
        Assert.Equal(1, provider.Requests);
        Assert.Equal(0, elsewhere.Requests);
    }

    // Only the forms are kept from redirects: a discovery document or key set that moved (http to https, a trailing
    // slash) is still read.
    [Fact]
    public async Task A_providers_document_that_moved_is_still_read()
    {
        LocalHttpServer? server = null;
        await using var provider = server = await LocalHttpServer.StartAsync(context =>
        {
            if (context.Request.Path == "/moved")
            {
                context.Response.StatusCode = 301;
                context.Response.Headers.Location = server!.Url + "/document";
                return Task.CompletedTask;
            }

            return context.Response.WriteAsync("""{"issuer":"here"}""");
        });
        using var harness = new SessionHarness();
        var documents = new Microsoft.IdentityModel.Protocols.HttpDocumentRetriever(
            harness.Get<IHttpClientFactory>().CreateClient(OidcServices.ProviderHttpClient)) { RequireHttps = false };

        Assert.Equal("""{"issuer":"here"}""", await documents.GetDocumentAsync(provider.Url + "/moved", CancellationToken.None));
    }

    // Issue: nothing capped an answer's size (the client buffered up to 2 GB).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_answer_larger_than_the_limit_is_transient(bool withContentLength)
    {
        var padding = new string('a', 2 * 1024 * 1024);
        var body = Encoding.UTF8.GetBytes($$"""{"access_token":"{{padding}}","expires_in":60}""");
        await using var provider = await LocalHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            if (withContentLength)
            {
                context.Response.ContentLength = body.Length;
            }

            await context.Response.Body.WriteAsync(body);
        });
        using var harness = new SessionHarness();

        var response = await harness.Get<TokenEndpointClient>().PostAsync(provider.Url + "/token", RefreshForm, CancellationToken.None);

        Assert.True(response.IsTransient, response.ErrorDescription);
        Assert.Null(response.AccessToken);
    }

    [Fact]
    public async Task An_answer_within_the_limit_is_read()
    {
        await using var provider = await LocalHttpServer.StartAsync(context => context.Response.WriteAsync(TokenJson));
        using var harness = new SessionHarness();

        var response = await harness.Get<TokenEndpointClient>().PostAsync(provider.Url + "/token", RefreshForm, CancellationToken.None);

        Assert.True(response.IsSuccess);
        Assert.Equal("at-elsewhere", response.AccessToken);
    }

    // Issue: a charset .NET does not know made reading the answer throw instead of answering a TokenResponse.
    [Theory]
    [InlineData(200, "<html>\u00e9</html>", true)]
    [InlineData(400, "<html>blocked</html>", true)]
    [InlineData(200, "not-utf8", true)]
    [InlineData(200, TokenJson, false)]
    public async Task An_unknown_charset_does_not_throw_and_the_body_is_read_as_utf8(int status, string body, bool notJson)
    {
        var bytes = body == "not-utf8" ? [0x7b, 0xff, 0xfe, 0x7d] : Encoding.UTF8.GetBytes(body);
        var answer = new TrackedResponse((HttpStatusCode)status, bytes, "application/json; charset=bogus");
        var client = new TokenEndpointClient(new HttpClient(new Answering(answer)), "bff", "secret");

        var response = await client.PostAsync("https://op.example/token", RefreshForm, CancellationToken.None);

        Assert.Equal(notJson, response.IsNotJson);
        Assert.Equal(notJson, response.IsTransient);
        Assert.Equal(notJson ? null : "at-elsewhere", response.AccessToken);
        Assert.True(answer.Disposed);
    }

    [Theory]
    [InlineData(200, TokenJson)]
    [InlineData(400, """{"error":"invalid_grant"}""")]
    [InlineData(503, "")]
    [InlineData(307, "")]
    public async Task The_response_is_disposed_whatever_it_was(int status, string body)
    {
        var answer = new TrackedResponse((HttpStatusCode)status, Encoding.UTF8.GetBytes(body), "application/json");
        var client = new TokenEndpointClient(new HttpClient(new Answering(answer)), "bff", "secret");

        await client.PostAsync("https://op.example/token", RefreshForm, CancellationToken.None);

        Assert.True(answer.Disposed);
    }

    private sealed class Answering(HttpResponseMessage answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer);
    }

    private sealed class TrackedResponse : HttpResponseMessage
    {
        public TrackedResponse(HttpStatusCode status, byte[] body, string contentType)
            : base(status)
        {
            Content = new ByteArrayContent(body);
            Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
