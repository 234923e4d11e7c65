using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace OpenIddictProvider;

/// <summary>
/// OpenID Connect Back-Channel Logout, which OpenIddict does not implement: when a provider session ends, the
/// client's back-channel logout URI gets a logout token signed with OpenIddict's own signing key. The token is
/// typed <c>JWT</c> (the JOSE default), as several providers send it, not the recommended <c>logout+jwt</c>.
/// </summary>
internal sealed class BackChannelLogout(
    IHttpClientFactory httpClients,
    IOptionsMonitor<OpenIddictServerOptions> server,
    IOptions<ProviderSettings> settings,
    TimeProvider clock,
    ILogger<BackChannelLogout> logger)
{
    public const string Event = "http://schemas.openid.net/event/backchannel-logout";

    /// <summary>Sends the logout token for one provider session; a failure is logged, not thrown (delivery is best effort).</summary>
    public async Task SendAsync(string subject, string sessionId, CancellationToken cancellationToken)
    {
        var options = settings.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(2),
            SigningCredentials = server.CurrentValue.SigningCredentials.First(),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = subject,
                ["sid"] = sessionId,
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["events"] = new Dictionary<string, object> { [Event] = new Dictionary<string, object>() },
            },
        });

        try
        {
            using var response = await httpClients.CreateClient().PostAsync(options.LogoutUri,
                new FormUrlEncodedContent(new Dictionary<string, string> { ["logout_token"] = token }), cancellationToken);
            logger.LogInformation("Back-channel logout for one session answered {Status}", (int)response.StatusCode);
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning("Back-channel logout could not be delivered: {Reason}", ex.Message);
        }
    }
}
