using System.Text.Encodings.Web;

namespace OpenIddictProvider;

/// <summary>The provider's few HTML pages: plain forms a test client can read and post.</summary>
internal static class Pages
{
    public static IResult Html(string title, string body, int status = StatusCodes.Status200OK) => Results.Content(
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{Encode(title)}</title></head><body><h1>{Encode(title)}</h1>{body}</body></html>",
        "text/html; charset=utf-8", statusCode: status);

    public static IResult Form(string title, string action, IEnumerable<KeyValuePair<string, string>> hidden, string fields, string button) => Html(title,
        $"<form method=\"post\" action=\"{Encode(action)}\">"
        + string.Concat(hidden.Select(h => $"<input type=\"hidden\" name=\"{Encode(h.Key)}\" value=\"{Encode(h.Value)}\">"))
        + fields
        + $"<button type=\"submit\">{Encode(button)}</button></form>");

    public static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
