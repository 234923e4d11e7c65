using System.Globalization;
using Bff.Http.Edge;
using Bff.Logging;
using Bff.Oidc;
using Bff.RateLimiting;
using Bff.Sessions.Audit;
using Bff.Sessions.Lifecycle;
using Bff.Sessions.Store;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Bff.Endpoints;

/// <summary>
/// <c>POST /bff/backchannel</c> (form field <c>logout_token</c>), called by the provider, not the browser, so
/// it needs no <c>X-CSRF</c> header: validates the logout token (<see cref="LogoutTokenValidator"/>) and ends
/// every matching session. 200 also when there was nothing left to end; 503 when the session store or the
/// provider's metadata is unavailable, or the token names a signing key the provider's keys cannot be re-read for yet
/// (a key rotated in moments ago), and then the same token is accepted again, for the provider's retry; 400 with a JSON
/// <c>error</c>/<c>error_description</c> for an invalid token or a body that is not a small
/// <c>application/x-www-form-urlencoded</c> form (413 when too large, chunked or not); all with
/// <c>Cache-Control: no-store</c>. Only failures spend the caller's rate limit.
/// </summary>
internal sealed class BackChannelLogoutEndpoint(LogoutTokenValidator validator, ProviderMetadata metadata, ISessionStore store, SessionTerminator terminator, SessionStatistics statistics,
    ClientAddressResolver addresses, [FromKeyedServices(ClientRateLimiter.BackChannelFailures)] ClientRateLimiter failures,
    ILogger<BackChannelLogoutEndpoint> logger) : IBackChannelLogoutEndpoint
{
    public const string TokenField = "logout_token";
    private const long MaxBodyBytes = 64 * 1024;

    // A logout request has one field; a few more are tolerated, thousands are not parsed.
    private static readonly FormOptions FormLimits = new()
    {
        ValueCountLimit = 16,
        KeyLengthLimit = 64,
        ValueLengthLimit = (int)MaxBodyBytes,
        BufferBody = false,
    };

    public async Task ProcessRequestAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";

        var client = ClientPartition.For(context, addresses);
        if (failures.IsExhausted(client, out var retryAfter))
        {
            await BffRateLimiter.RejectAsync(context, retryAfter, addresses);
            return;
        }

        var (raw, status, problem) = await ReadTokenAsync(context);
        if (raw is null)
        {
            failures.TryAcquire(client, out _);
            await RejectAsync(context, "invalid_request", problem!, status);
            return;
        }

        LogoutToken token;
        try
        {
            token = await validator.ValidateAsync(raw, context.RequestAborted);
        }
        catch (SigningKeyUnavailableException ex)
        {
            // A key the provider may have rotated in within the re-read floor (or while its keys cannot be read):
            // not proof of a forgery, so the provider is told to retry, by when the keys can be read again.
            failures.TryAcquire(client, out _);
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(metadata.MinimumRefreshInterval.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await RejectAsync(context, "temporarily_unavailable", ex.Message + " Retry later.", StatusCodes.Status503ServiceUnavailable);
            return;
        }
        catch (OidcProtocolException ex)
        {
            failures.TryAcquire(client, out _);
            await RejectAsync(context, "invalid_request", ex.Message);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The provider's metadata, or the replay cache, could not be read; the provider may retry later.
            Log.ProviderUnavailable(logger, ex.GetType().Name, ex.Message);
            await RejectAsync(context, "temporarily_unavailable", "The logout token could not be checked right now.", StatusCodes.Status503ServiceUnavailable);
            return;
        }

        int ended;
        try
        {
            ended = await terminator.EndAllAsync(
                async cancellationToken => await MatchingSessionsAsync(store, token.Subject, token.ProviderSessionId, cancellationToken),
                SessionEndReason.BackChannel, context.RequestAborted);
        }
        catch (Exception ex)
        {
            // The logout did not happen (or only partly; ending again is a no-op): the store's failure goes on
            // to answer 503, and the token's jti is forgotten so the provider's retry is not refused as a replay.
            await ForgetAsync(token, ex);
            throw;
        }

        Log.BackChannelLogoutProcessed(logger, token.Subject, token.ProviderSessionId, ended);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task ForgetAsync(LogoutToken token, Exception failure)
    {
        try
        {
            await validator.ForgetAsync(token);
        }
        catch (Exception ex)
        {
            // Most likely the same outage: the provider's retry will then be refused as a replay.
            Log.BackChannelLogoutNotForgotten(logger, failure.GetType().Name, ex.GetType().Name);
        }
    }

    /// <summary>
    /// The sessions a logout token names: those of its provider session (<c>sid</c>, and of its <c>sub</c> when it
    /// names one), plus — when it names a <c>sub</c> — that user's sessions recorded without any <c>sid</c>, which
    /// no <c>sid</c> could ever reach.
    /// </summary>
    internal static async Task<List<SessionRecord>> MatchingSessionsAsync(
        ISessionStore store, string? subject, string? providerSessionId, CancellationToken cancellationToken)
    {
        if (providerSessionId is not { } sid)
        {
            return [.. await store.GetBySubjectAsync(subject!, cancellationToken)];
        }

        var sessions = (await store.GetByProviderSessionAsync(sid, cancellationToken))
            .Where(s => subject is null || s.Subject == subject)
            .ToList();
        if (subject is not null)
        {
            sessions.AddRange((await store.GetBySubjectAsync(subject, cancellationToken)).Where(s => s.ProviderSessionId is null));
        }

        return sessions;
    }

    /// <summary>The one <c>logout_token</c> field of a small form body, or why there is none (and the status to answer).</summary>
    private static async Task<(string? Token, int Status, string? Problem)> ReadTokenAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsUtf8Form(request.ContentType))
        {
            return (null, StatusCodes.Status400BadRequest,
                "Send the logout token as the form field 'logout_token' of an application/x-www-form-urlencoded (UTF-8) body.");
        }

        // Kestrel then refuses a longer body however it arrives, chunked included.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, "The request body is too large for a logout token.");
        }

        IFormCollection form;
        try
        {
            // This endpoint's limits, unless something before it has read the form already.
            if (context.Features.Get<IFormFeature>()?.Form is null)
            {
                context.Features.Set<IFormFeature>(new FormFeature(request, FormLimits));
            }

            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (BadHttpRequestException ex)
        {
            return (null, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? ex.StatusCode : StatusCodes.Status400BadRequest,
                "The request body could not be read as a small form.");
        }
        catch (InvalidDataException)
        {
            return (null, StatusCodes.Status400BadRequest, "The form has too many or too long fields for a logout request.");
        }

        var raw = form[TokenField];
        return raw.Count == 1 && !string.IsNullOrEmpty(raw[0])
            ? (raw[0], StatusCodes.Status200OK, null)
            : (null, StatusCodes.Status400BadRequest, "Send exactly one logout token as the form field 'logout_token'.");
    }

    private static bool IsUtf8Form(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) &&
        type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) &&
        (!type.Charset.HasValue || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    private Task RejectAsync(HttpContext context, string error, string description, int status = StatusCodes.Status400BadRequest)
    {
        Log.BackChannelLogoutRejected(logger, description);
        statistics.RecordFailure(SessionStatistics.FailureBackChannel);
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error, error_description = description }, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
