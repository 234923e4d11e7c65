using System.Text.Encodings.Web;

namespace Bff.Http.Responses;

/// <summary>
/// A small, self-contained HTML page for errors a person meets in the browser (sign-in failures),
/// with a link back to the app. Every value is HTML-encoded.
/// </summary>
internal static class ErrorPage
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

        var html = HtmlEncoder.Default;
        var home = html.Encode(context.Request.PathBase.HasValue ? context.Request.PathBase.Value! + "/" : "/");
        var page = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(html.Encode(title)).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}")
            .Append("a{color:#0b5cad}</style></head><body>")
            .Append("<h1>").Append(html.Encode(title)).Append("</h1>")
            .Append("<p>").Append(html.Encode(message)).Append("</p>")
            .Append("<p><a href=\"").Append(home).Append("\">Back to the app</a></p>")
            .Append("</body></html>")
            .ToString();

        await response.WriteAsync(page, context.RequestAborted);
    }
}
