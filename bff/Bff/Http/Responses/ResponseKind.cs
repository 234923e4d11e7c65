namespace Bff.Http.Responses;

/// <summary>
/// The one rule for how the BFF answers: a readable page for a person's browser navigation, problem+json for
/// every call a program makes. A redirect to sign-in is a page's answer too.
/// </summary>
internal static class ResponseKind
{
    public const string AntiforgeryHeader = "X-CSRF";

    public static bool WantsPage(HttpContext context)
    {
        var request = context.Request;
        // Browsers say what a request is for; their word beats any guess.
        if (request.Headers.TryGetValue("Sec-Fetch-Mode", out var mode))
        {
            return mode == "navigate";
        }

        // Only the SPA's fetch sends the anti-forgery header.
        if (request.Headers.ContainsKey(AntiforgeryHeader))
        {
            return false;
        }

        // Without fetch metadata: a link followed (GET asking for HTML) or an HTML form submitted. Anything else,
        // a BFF API endpoint called without the header included, is a program's call.
        return HttpMethods.IsGet(request.Method)
            ? request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
            : HttpMethods.IsPost(request.Method) && request.HasFormContentType;
    }
}
