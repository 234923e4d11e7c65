using System.Text.Json;
using Bff.Configuration;
using Bff.Logging;
using Bff.Oidc;
using Bff.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bff.Endpoints;

/// <summary>
/// <c>POST /bff/backchannel</c> (form field <c>logout_token</c>), called by the provider, not the browser, so
/// it needs no <c>X-CSRF</c> header: validates the logout token (<see cref="LogoutTokenValidator"/>) and ends
/// every matching session. 200 also when there was nothing left to end; 400 with a JSON
/// <c>error</c>/<c>error_description</c> for an invalid token; both with <c>Cache-Control: no-store</c>.
/// </summary>
internal static class BackChannelLogoutEndpoint
{
    public const string TokenField = "logout_token";
    private const long MaxBodyBytes = 64 * 1024;

    public static async Task HandleAsync(
        HttpContext context,
        LogoutTokenValidator validator,
        ISessionStore store,
        SessionTerminator terminator,
        SessionStatistics statistics,
        ILogger<BffOptions> logger)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";

        if (!context.Request.HasFormContentType || context.Request.ContentLength > MaxBodyBytes)
        {
            await RejectAsync(context, statistics, logger, "invalid_request", "Send the logout token as the form field 'logout_token'.");
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var raw = form[TokenField];
        if (raw.Count != 1 || string.IsNullOrEmpty(raw[0]))
        {
            await RejectAsync(context, statistics, logger, "invalid_request", "Send exactly one logout token as the form field 'logout_token'.");
            return;
        }

        LogoutToken token;
        try
        {
            token = await validator.ValidateAsync(raw[0]!, context.RequestAborted);
        }
        catch (OidcProtocolException ex)
        {
            await RejectAsync(context, statistics, logger, "invalid_request", ex.Message);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The provider's metadata or keys could not be read; the provider may retry later.
            Log.ProviderUnavailable(logger, ex.GetType().Name, ex.Message);
            await RejectAsync(context, statistics, logger, "temporarily_unavailable", "The provider's signing keys could not be read.");
            return;
        }

        var sessions = token.ProviderSessionId is { } sid
            ? (await store.GetByProviderSessionAsync(sid, context.RequestAborted))
                .Where(s => token.Subject is null || s.Subject == token.Subject)
            : await store.GetBySubjectAsync(token.Subject!, context.RequestAborted);

        var ended = 0;
        foreach (var session in sessions.ToList())
        {
            if (await terminator.EndAsync(session.Id, SessionEndReason.BackChannel, context.RequestAborted))
            {
                ended++;
            }
        }

        Log.BackChannelLogoutProcessed(logger, token.Subject, token.ProviderSessionId, ended);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task RejectAsync(HttpContext context, SessionStatistics statistics, ILogger logger, string error, string description)
    {
        Log.BackChannelLogoutRejected(logger, description);
        statistics.RecordFailure(SessionStatistics.FailureBackChannel);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("error", error);
        json.WriteString("error_description", description);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
