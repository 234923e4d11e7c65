using Bff.Http;

namespace Bff.Http.Responses;

/// <summary>Writes RFC 9457 <c>application/problem+json</c> answers with a stable <c>type</c> and <c>code</c>.</summary>
internal static class ProblemResponse
{
    public const string ContentType = "application/problem+json";

    public static string TypeFor(string code) => "urn:bff:problem:" + code;

    public static async Task WriteAsync(HttpContext context, int status, string code, string title, string? detail = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";

        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", TypeFor(code));
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            if (detail is not null)
            {
                json.WriteString("detail", detail);
            }
            json.WriteString("code", code);
            json.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
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
}
