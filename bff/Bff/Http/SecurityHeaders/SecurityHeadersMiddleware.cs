using Bff.Http.Responses;
using Bff.Configuration;

namespace Bff.Http.SecurityHeaders;

/// <summary>
/// Hardening headers on every response, set just before the headers are sent so that whatever produced the
/// response (an endpoint, the proxy, static files) is covered:
/// <list type="bullet">
/// <item><c>X-Content-Type-Options: nosniff</c> and <c>Referrer-Policy: no-referrer</c> everywhere;</item>
/// <item><c>Cache-Control: no-store</c> on <c>/bff/*</c>, on the sign-in and sign-out callbacks, on every API
/// call (they carry the user's data) and on HTML pages, so the back button after sign-out shows nothing cached;</item>
/// <item>a Content-Security-Policy on HTML pages that do not bring their own;</item>
/// <item><c>Strict-Transport-Security</c> on HTTPS responses outside Development, so the browser never again
/// tries this origin over plain HTTP, where a cookie could be read or planted.</item>
/// </list>
/// </summary>
internal sealed class SecurityHeadersMiddleware
{
    private readonly RequestDelegate _next;
    private readonly PathString[] _privatePaths;
    private readonly Func<object, Task> _apply;
    private readonly bool _strictTransport;

    public SecurityHeadersMiddleware(RequestDelegate next, IOptions<BffOptions> options, IHostEnvironment environment)
    {
        _next = next;
        _strictTransport = !environment.IsDevelopment();
        _privatePaths = [BffDefaults.EndpointsPath, options.Value.CallbackPath, options.Value.SignedOutCallbackPath];
        _apply = Apply;
    }

    /// <summary>One year, this host only: subdomains may be other apps that are not ready for HTTPS-only.</summary>
    public const string StrictTransportSecurity = "max-age=31536000";

    /// <summary>
    /// The SPA loads its scripts, styles, images and data from its own origin only, and may not be framed.
    /// React sets styles through the DOM, which <c>style-src 'self'</c> allows.
    /// </summary>
    public const string SpaContentSecurityPolicy =
        "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'";

    private Task Apply(object state)
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.TryAdd("Referrer-Policy", "no-referrer");
        if (_strictTransport && context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = StrictTransportSecurity;
        }

        var isHtml = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
        if (isHtml)
        {
            // A page that brings a stricter policy keeps it: the error page, and every proxied answer (the proxy
            // replaces the API's policy with its own before this runs).
            headers.TryAdd("Content-Security-Policy", SpaContentSecurityPolicy);
        }

        if (isHtml || IsPrivate(context))
        {
            headers.CacheControl = "no-store";
            headers.Remove("ETag");
            headers.Remove("Last-Modified");
        }

        return Task.CompletedTask;
    }

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(_apply, context);
        return _next(context);
    }

    private bool IsPrivate(HttpContext context)
    {
        foreach (var path in _privatePaths)
        {
            if (context.Request.Path.StartsWithSegments(path))
            {
                return true;
            }
        }

        return context.GetEndpoint()?.Metadata.GetMetadata<BffApiEndpointMetadata>() is not null;
    }
}
