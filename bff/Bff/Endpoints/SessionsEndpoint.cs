using System.Text.Json.Serialization;
using Bff.Configuration;
using Bff.Http.Responses;
using Bff.Logging;
using Bff.Sessions.Audit;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;
using Bff.Sessions;

namespace Bff.Endpoints;

/// <summary>
/// The signed-in user's own sessions (all require <c>X-CSRF: 1</c>):
/// <c>GET /bff/sessions</c> lists them, <c>DELETE /bff/sessions/{id}</c> ends one by its public id,
/// <c>DELETE /bff/sessions</c> ends them all, <c>DELETE /bff/sessions/others</c> all but this browser's, and <c>GET /bff/sessions/events</c> is the recent history.
/// A user only ever sees their own: another user's id is 404, exactly like an id that never existed.
/// </summary>
internal sealed class SessionsEndpoint(ISessionStore store, SessionTerminator terminator, SessionAudit audit, ILogger<SessionsEndpoint> logger) : ISessionsEndpoint
{
    /// <summary>One of the five routes under <c>/bff/sessions</c>, told apart by method and path; each needs a live session.</summary>
    public async Task ProcessRequestAsync(HttpContext context)
    {
        if (await CurrentSession.ReadAsync(context) is not { Record: var current })
        {
            await ProblemResponse.NotAuthenticated(context);
            return;
        }

        // Routing matched the literal segments ignoring case, so they are told apart the same way: a
        // DELETE /bff/sessions/OTHERS that fell through to "end them all" would sign this browser out too.
        var last = context.Request.Path.Value?.TrimEnd('/') ?? "";
        var answer = HttpMethods.IsGet(context.Request.Method)
            ? (last.EndsWith("/events", StringComparison.OrdinalIgnoreCase) ? EventsAsync(context, current) : ListAsync(context, current))
            : context.Request.RouteValues["publicId"] is string publicId ? EndOneAsync(context, current, publicId)
            : last.EndsWith("/others", StringComparison.OrdinalIgnoreCase) ? EndOthersAsync(context, current)
            : EndAllAsync(context, current);
        await answer;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private async Task ListAsync(HttpContext context, SessionRecord current)
    {
        var sessions = await store.GetBySubjectAsync(current.Subject, context.RequestAborted);
        var views = sessions
            .Select(s => new SessionView(
                s.PublicId,
                s.PublicId == current.PublicId,
                UserAgentLabel.For(s.UserAgent),
                s.UserAgent,
                s.IpAddress,
                s.ProviderSessionId,
                s.CreatedAt,
                s.LastActivityAt,
                s.ExpiresAt))
            .OrderByDescending(v => v.Current)
            .ThenByDescending(v => v.LastActivityAt)
            .ToList();

        await context.Response.WriteAsJsonAsync(views, Json, context.RequestAborted);
    }

    private async Task EndOneAsync(HttpContext context, SessionRecord current, string publicId)
    {
        if (publicId == current.PublicId)
        {
            // This browser's own session: sign out here, which also drops the cookie.
            await context.SignOutAsync(BffDefaults.CookieScheme);
            CurrentSession.Forget(context);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        var sessions = await store.GetBySubjectAsync(current.Subject, context.RequestAborted);
        var target = sessions.FirstOrDefault(s => string.Equals(s.PublicId, publicId, StringComparison.Ordinal));
        if (target is null)
        {
            Log.SessionEndRefused(logger, current.Subject, LogText.Printable(publicId));
            await ProblemResponse.WriteAsync(context, StatusCodes.Status404NotFound, ProblemCodes.NotFound,
                "Session not found", "You have no session with this id. It may have ended already.");
            return;
        }

        // That device's session, and any other of its provider session (that browser's) but this one: a sign-in there
        // that was under way meanwhile.
        await terminator.EndAllAsync(async cancellationToken => target.ProviderSessionId is { } sid
                ? (await store.GetByProviderSessionAsync(sid, cancellationToken))
                    .Where(s => s.Subject == current.Subject && s.Id != current.Id)
                    .Append(target)
                    .DistinctBy(s => s.Id)
                : [target],
            SessionEndReason.EndedFromOtherSession, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task EndAllAsync(HttpContext context, SessionRecord current)
    {
        // This browser's session last.
        var ended = await terminator.EndAllAsync(
            async cancellationToken => (await store.GetBySubjectAsync(current.Subject, cancellationToken)).OrderBy(s => s.Id == current.Id),
            SessionEndReason.SignOutEverywhere, context.RequestAborted);
        Log.SignedOutEverywhere(logger, current.Subject, ended);
        CurrentSession.Forget(context);
        // The cookie stays (it names a session that is gone, so it opens nothing): the next sign-in in this
        // browser is then recognised as following "sign out everywhere" and asks for the password again.
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary><c>DELETE /bff/sessions/others</c>: ends every session of the user except this browser's.</summary>
    private async Task EndOthersAsync(HttpContext context, SessionRecord current)
    {
        var ended = await terminator.EndAllAsync(
            async cancellationToken => (await store.GetBySubjectAsync(current.Subject, cancellationToken)).Where(s => s.Id != current.Id),
            SessionEndReason.EndedFromOtherSession, context.RequestAborted);
        Log.SignedOutOthers(logger, current.Subject, ended);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task EventsAsync(HttpContext context, SessionRecord current)
    {
        var events = await audit.GetRecentAsync(current.Subject, context.RequestAborted);
        // Token refreshes stay in the log and the statistics; the user's list is about sign-ins and sign-outs.
        var views = events
            .Where(e => e.Kind != AuditEventKinds.Refreshed)
            .Select(e => new EventView(e.Kind, e.At, e.SessionId, e.SessionId == current.PublicId, e.Device, e.IpAddress, e.Reason))
            .ToList();
        await context.Response.WriteAsJsonAsync(views, Json, context.RequestAborted);
    }

    private sealed record SessionView(
        string Id,
        bool Current,
        string Device,
        string? UserAgent,
        string? IpAddress,
        string? ProviderSessionId,
        DateTimeOffset CreatedAt,
        DateTimeOffset LastActivityAt,
        DateTimeOffset ExpiresAt);

    private sealed record EventView(
        string Kind,
        DateTimeOffset At,
        string SessionId,
        bool Current,
        string? Device,
        string? IpAddress,
        string? Reason);
}
