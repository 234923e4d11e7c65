using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Bff.Oidc;

/// <summary>
/// Posts form requests to the provider's token and revocation endpoints, authenticated as the BFF
/// (<c>client_secret_basic</c>, RFC 6749 §2.3.1), and turns every outcome — success, OAuth error,
/// unreachable provider — into a <see cref="TokenResponse"/>; it never throws for a provider's failure.
/// </summary>
internal sealed class TokenEndpointClient(HttpClient http, string clientId, string clientSecret)
{
    private readonly AuthenticationHeaderValue _authorization = new(
        "Basic",
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(clientSecret))));

    public async Task<TokenResponse> PostAsync(string endpoint, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Authorization = _authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return TokenResponse.Transient("The provider could not be reached: " + ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TokenResponse.Transient("The provider did not answer in time.");
        }

        using (response)
        {
            if ((int)response.StatusCode >= 500)
            {
                return TokenResponse.Transient($"The provider answered {(int)response.StatusCode}.");
            }

            if (response.IsSuccessStatusCode)
            {
                // Revocation answers 200 with an empty body.
                return TokenResponse.Success(body.Length == 0 ? "{}" : body);
            }

            return ParseError(body, (int)response.StatusCode);
        }
    }

    private static TokenResponse ParseError(string body, int status)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var error = TokenResponse.String(document.RootElement, "error");
            if (error is not null)
            {
                return TokenResponse.Failure(error, TokenResponse.String(document.RootElement, "error_description"));
            }
        }
        catch (JsonException)
        {
        }

        return TokenResponse.Failure("invalid_response", $"The provider answered {status} without an OAuth error.");
    }
}
