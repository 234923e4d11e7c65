using Bff.Http;
using Bff.Logging;
using Bff.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bff.Oidc;

/// <summary>
/// Every failed sign-in callback (provider error, unknown or expired state, replayed code, invalid id_token)
/// ends here: a readable 400 page with a link back to the app, never an exception page.
/// </summary>
internal static class SignInFailurePage
{
    public static async Task HandleAsync(RemoteFailureContext context)
    {
        var (reason, message) = Describe(context.Failure);
        var log = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Bff.Oidc");
        Log.SignInFailed(log, reason);
        context.HttpContext.RequestServices.GetService<SessionStatistics>()?.RecordFailure(SessionStatistics.FailureSignIn);

        await ErrorPage.WriteAsync(context.HttpContext, StatusCodes.Status400BadRequest, "Sign-in failed", message);
        context.HandleResponse();
    }

    internal static (string Reason, string Message) Describe(Exception? failure)
    {
        if (failure is OidcProtocolException protocol)
        {
            return (protocol.Message, protocol.Message);
        }

        if (failure?.Data["error"] is string error && error.Length > 0)
        {
            return error == "access_denied"
                ? ("provider error access_denied", "Sign-in was cancelled or denied at the identity provider.")
                : ("provider error " + error, $"The identity provider could not sign you in (error: {error}).");
        }

        // The OAuth base class reports a missing/invalid state, a failed correlation or a missing code.
        return (failure?.Message ?? "unknown",
            "This sign-in attempt has expired or was already completed. Please sign in again.");
    }
}
