using Microsoft.AspNetCore.Http;

namespace Bff.Http;

/// <summary>
/// One rule for an error answer: a readable page for a browser navigation, problem+json for everything else.
/// </summary>
internal static class HttpErrorResponse
{
    public static Task WriteAsync(HttpContext context, int status, string code, string title, string detail) =>
        RequestKind.IsBrowserNavigation(context.Request)
            ? ErrorPage.WriteAsync(context, status, title, detail)
            : ProblemResponse.WriteAsync(context, status, code, title, detail);
}
