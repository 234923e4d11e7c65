using Bff.Configuration;
using Bff.Http.Responses;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Extensions;

namespace Bff.Http.Edge;

/// <summary>
/// A server that listens on HTTPS and plain HTTP (<see cref="PlainHttpCheck"/> lets it start) would sign users in over
/// the plain one with a cookie without <c>Secure</c>. So outside Development, unless plain HTTP is allowed, a request
/// that arrives over plain HTTP is sent to the server's HTTPS listener (307, method and body kept), and nothing of the
/// BFF answers it. Where the server has no HTTPS listener (behind a TLS-terminating proxy, whose forwarded headers
/// made the request https already) nothing changes. Machines keep their plain port: the health probes a platform sends
/// there, and the provider's back-channel logout, which carries no cookie and must not be lost to a redirect.
/// (The framework's HTTPS redirection fails every request when the server has two HTTPS ports.)
/// </summary>
internal sealed class PlainHttpRedirect(RequestDelegate next, IServerAddressesFeature? addresses)
{
    // Known once the server has bound: Kestrel:Endpoints and addresses set in code come later than the pipeline.
    private readonly Lazy<int?> _httpsPort = new(() => HttpsPortOf(addresses));

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.IsHttps || _httpsPort.Value is not { } port || IsMachineEndpoint(context.Request.Path))
        {
            return next(context);
        }

        var request = context.Request;
        if (!request.Host.HasValue)
        {
            // HTTP/1.0 without Host: nowhere to send it.
            return ErrorResponse.BadRequestAsync(context, "This site is served over HTTPS.");
        }

        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = UriHelper.BuildAbsolute(
            Uri.UriSchemeHttps, new HostString(request.Host.Host, port), request.PathBase, request.Path, request.QueryString);
        return Task.CompletedTask;
    }

    private static bool IsMachineEndpoint(PathString path) =>
        path.Equals(BffDefaults.HealthLivePath, StringComparison.OrdinalIgnoreCase) ||
        path.Equals(BffDefaults.HealthReadyPath, StringComparison.OrdinalIgnoreCase) ||
        path.Equals(BffDefaults.BackChannelPath, StringComparison.OrdinalIgnoreCase);

    // The lowest, when there are several: any of them serves the same app.
    private static int? HttpsPortOf(IServerAddressesFeature? addresses) =>
        addresses?.Addresses
            .Select(BindingAddress.Parse)
            .Where(a => string.Equals(a.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
            .Select(a => (int?)a.Port)
            .Order()
            .FirstOrDefault();
}
