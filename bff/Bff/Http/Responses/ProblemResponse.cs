using System.Text.Json.Serialization;

namespace Bff.Http.Responses;

/// <summary>Writes RFC 9457 <c>application/problem+json</c> answers with a stable <c>type</c> and <c>code</c>.</summary>
internal static class ProblemResponse
{
    public const string ContentType = "application/problem+json";

    public static string TypeFor(string code) => "urn:bff:problem:" + code;

    public static Task WriteAsync(HttpContext context, int status, string code, string title, string? detail = null)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new Problem(TypeFor(code), title, status, detail, code), JsonSerializerOptions.Web, ContentType, context.RequestAborted);
    }

    /// <summary>
    /// 401: no session. When the request's cookie named a session that has ended, the answer says so
    /// (<c>session_ended</c>) and why, instead of the plain <c>not_authenticated</c>.
    /// </summary>
    public static async Task NotAuthenticated(HttpContext context, string? detail = null)
    {
        if (context.Features.Get<EndedSessionFeature>() is { } ended)
        {
            await ended.ToldAsync(context.RequestAborted);
            await WriteAsync(context, StatusCodes.Status401Unauthorized, ProblemCodes.SessionEnded, "Session ended", ended.Message);
            return;
        }

        await WriteAsync(context, StatusCodes.Status401Unauthorized, ProblemCodes.NotAuthenticated, "Not signed in", detail);
    }

    public static Task BadRequest(HttpContext context, string detail) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest, "Invalid request", detail);

    private sealed record Problem(
        string Type, string Title, int Status, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail, string Code);
}
