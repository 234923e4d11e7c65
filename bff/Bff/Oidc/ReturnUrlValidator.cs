using Bff.Http.Responses;
using Bff.Logging;

namespace Bff.Oidc;

/// <summary>
/// A return URL must be a path on this origin. Anything a browser could resolve to another origin —
/// absolute URLs, protocol-relative <c>//host</c>, <c>/\host</c> (browsers read <c>\</c> as <c>/</c>),
/// control characters and whitespace that browsers strip — is refused. So is anything outside printable
/// ASCII: the URL ends up in a <c>Location</c> header, which cannot carry it (browsers send such paths
/// percent-encoded). And anything longer than <see cref="MaxLength"/>: it travels to the provider and back in the
/// sign-in's state, and a callback URL too long for the server would fail after the user has signed in.
/// </summary>
internal static class ReturnUrlValidator
{
    public const int MaxLength = 2048;

    public static bool IsLocal(string? url) =>
        url is ['/', ..] && url.Length <= MaxLength && url is not [_, '/' or '\\', ..] && !url.Any(c => c <= ' ' || c > '~' || c == '\\');

    /// <summary>The request's <c>returnUrl</c>, "/" when it has none; null, with a 400 written, when it is not local.</summary>
    public static async Task<string?> ReadAsync(HttpContext context, ILogger logger)
    {
        string? given = context.Request.Query["returnUrl"];
        var returnUrl = string.IsNullOrEmpty(given) ? "/" : given;
        if (IsLocal(returnUrl))
        {
            return returnUrl;
        }

        Log.ReturnUrlRejected(logger);
        await ErrorResponse.BadRequestAsync(context, $"returnUrl must be a path on this site of at most {MaxLength} characters, such as /orders.");
        return null;
    }
}
