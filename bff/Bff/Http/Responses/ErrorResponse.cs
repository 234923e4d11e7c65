namespace Bff.Http.Responses;

/// <summary>An error answer by <see cref="ResponseKind"/>: a readable page for a navigation, problem+json otherwise.</summary>
internal static class ErrorResponse
{
    public static Task WriteAsync(HttpContext context, int status, string code, string title, string detail) =>
        ResponseKind.WantsPage(context)
            ? ErrorPage.WriteAsync(context, status, title, detail)
            : ProblemResponse.WriteAsync(context, status, code, title, detail);

    public static Task BadRequestAsync(HttpContext context, string detail) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest, "Invalid request", detail);
}
