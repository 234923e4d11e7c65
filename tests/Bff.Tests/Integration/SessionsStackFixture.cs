using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Integration;

/// <summary>
/// A real stack whose BFF also keeps a copy of every logout token the provider posts to
/// <c>/bff/backchannel</c>, so a test can replay a genuine one.
/// </summary>
public sealed class SessionsStackFixture : StackFixture
{
    public ConcurrentQueue<string> LogoutTokens { get; } = new();

    protected override TestStackOptions Options => new()
    {
        ConfigureBff = builder => builder.Services.AddSingleton<IStartupFilter>(new CaptureLogoutTokens(LogoutTokens)),
    };

    private sealed class CaptureLogoutTokens(ConcurrentQueue<string> tokens) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path == "/bff/backchannel" && context.Request.HasFormContentType)
                {
                    // The form is cached on the request: the endpoint reads the same one.
                    var form = await context.Request.ReadFormAsync();
                    if (form["logout_token"].ToString() is { Length: > 0 } token)
                    {
                        tokens.Enqueue(token);
                    }
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
