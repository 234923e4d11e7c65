using System.Runtime.ExceptionServices;
using Bff.Http.Responses;
using Bff.Logging;
using Bff.Sessions.Audit;
using Bff.Sessions.Store;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bff.Oidc;

/// <summary>
/// Every failed sign-in (provider error, unknown or expired state, replayed code, invalid id_token, provider
/// away) ends here: a readable page with a link back to the app, never an exception page. A refused or broken
/// response is 400; a provider that cannot answer right now is 503 with <c>Retry-After</c>; a provider whose
/// discovery document fails validation is 503 saying it is misconfigured.
/// </summary>
internal static class SignInFailurePage
{
    /// <summary>What a browser is told about a sign-in whose state is missing, unreadable, used or too old.</summary>
    internal const string AttemptExpired = "This sign-in attempt has expired or was already completed. Please sign in again.";

    /// <summary>How long a browser is asked to wait after an outage.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    public static async Task HandleAsync(RemoteFailureContext context)
    {
        // The session store out of reach (a check at the callback needs it) is answered where every such outage is:
        // SessionStoreUnavailableMiddleware.
        if (SessionStoreUnavailableException.Find(context.Failure) is not null)
        {
            ExceptionDispatchInfo.Throw(context.Failure!);
        }

        var (status, reason, message) = Describe(context.Failure);
        var log = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Bff.Oidc");
        Log.SignInFailed(log, reason);
        context.HttpContext.RequestServices.GetService<SessionStatistics>()?.RecordFailure(SessionStatistics.FailureSignIn);

        await WriteAsync(context.HttpContext, status, message);
        context.HandleResponse();
    }

    /// <summary>The page for a provider problem met before the provider was even asked (sign-in start, sign-out).</summary>
    public static Task WriteProviderProblemAsync(HttpContext context, Exception failure)
    {
        var (status, _, message) = Describe(failure);
        return WriteAsync(context, status, message);
    }

    private static Task WriteAsync(HttpContext context, int status, string message)
    {
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return ErrorResponse.WriteAsync(context, status, ProblemCodes.ProviderUnavailable, "Sign-in is unavailable", message);
        }

        return ErrorResponse.WriteAsync(context, status, ProblemCodes.SignInFailed, "Sign-in failed", message);
    }

    internal static (int Status, string Reason, string Message) Describe(Exception? failure)
    {
        const int refused = StatusCodes.Status400BadRequest;
        const int unavailable = StatusCodes.Status503ServiceUnavailable;
        switch (failure)
        {
            case OidcProtocolException protocol:
                return (refused, protocol.Message, protocol.Message);
            case ProviderUnavailableException outage:
                return (unavailable, outage.Data["detail"] as string ?? outage.Message, outage.Message);
            case ProviderMetadataException misconfigured:
                return (unavailable, misconfigured.Message,
                    "The identity provider is misconfigured: its discovery document does not match this application's settings. Please tell the site's operators.");
            case OpenIdConnectProtocolInvalidNonceException:
                return (refused, "nonce: " + failure.GetType().Name, "The id_token's nonce does not match the sign-in request.");
            case HttpRequestException or TaskCanceledException or IOException:
                // The discovery document or the keys could not be read.
                return (unavailable, failure.GetType().Name + ": " + failure.Message,
                    "The identity provider cannot be reached right now. Please try again in a moment.");
        }

        if (failure?.Data["error"] is string { Length: > 0 } sent)
        {
            // The callback's query says what the error was: whoever sent the browser there chose it.
            var error = LogText.Printable(sent);
            return error == "access_denied"
                ? (refused, "provider error access_denied", "Sign-in was cancelled or denied at the identity provider.")
                : (refused, "provider error " + error, $"The identity provider could not sign you in (error: {error}).");
        }

        if (failure?.InnerException is HttpRequestException or IOException)
        {
            return Describe(failure.InnerException);
        }

        // The handler reports a missing/invalid state, a failed correlation or a missing code.
        return (refused, failure?.Message ?? "unknown", AttemptExpired);
    }
}
