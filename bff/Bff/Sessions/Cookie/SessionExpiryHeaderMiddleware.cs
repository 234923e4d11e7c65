using Bff.Sessions.Store;

namespace Bff.Sessions.Cookie;

/// <summary>
/// Adds <c>Bff-Session-Expires-In</c> (whole seconds until the session ends, after this request's activity)
/// to every response of a request made with a live session: API calls through the proxy, <c>/bff/user</c>,
/// <c>/bff/sessions</c>. Every call slides the idle timeout, so the SPA's countdown follows the server's timer
/// by reading the header of whatever it last called, instead of guessing.
/// </summary>
internal sealed class SessionExpiryHeaderMiddleware(RequestDelegate next, TimeProvider time)
{
    public const string HeaderName = "Bff-Session-Expires-In";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var (context, time) = ((HttpContext, TimeProvider))state;
            // Set by the ticket store once the cookie named a live session; removed when the request ended it.
            if (CurrentSession.Of(context) is { } session && context.Response.StatusCode < 400)
            {
                context.Response.Headers[HeaderName] = SecondsLeft(session, time.GetUtcNow()).ToString(CultureInfo.InvariantCulture);
            }

            return Task.CompletedTask;
        }, (context, time));

        return next(context);
    }

    public static long SecondsLeft(SessionRecord session, DateTimeOffset now) =>
        Math.Max(0, (long)Math.Floor((session.ExpiresAt - now).TotalSeconds));
}
