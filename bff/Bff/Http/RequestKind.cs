using Microsoft.AspNetCore.Http;

namespace Bff.Http;

/// <summary>Tells a browser navigation (answer with a page) from an API call (answer with problem+json).</summary>
internal static class RequestKind
{
    public static bool IsBrowserNavigation(HttpRequest request)
    {
        if (request.Headers.TryGetValue("Sec-Fetch-Mode", out var mode))
        {
            return mode == "navigate";
        }

        return HttpMethods.IsGet(request.Method) &&
               request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }
}
