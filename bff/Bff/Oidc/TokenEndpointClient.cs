using System.Net;
using System.Net.Http.Headers;

namespace Bff.Oidc;

/// <summary>
/// Posts form requests to the provider's token, pushed-authorization and revocation endpoints, authenticated
/// as the BFF (<c>client_secret_basic</c>, RFC 6749 §2.3.1), and turns every outcome into a
/// <see cref="TokenResponse"/>; it never throws for a provider's failure. Only what names the grant itself as
/// bad is a refusal: <c>invalid_grant</c>, and a bare 400 without an OAuth error (empty, or JSON without
/// <c>error</c>: a provider's way of refusing a revoked token). Everything else — unreachable, 5xx, 429, 408,
/// <c>invalid_client</c> (a rotated client secret), <c>unauthorized_client</c>, other 4xx, a redirect (never
/// followed), an answer too large to read, an answer that is not UTF-8 JSON (a 400 page from a firewall or proxy
/// in front of the provider included) — is transient: signing every user out for the provider's or the operator's
/// trouble would be worse than a retry.
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

        HttpResponseMessage? response = null;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
            return await ReadAsync(response, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // An answer larger than the client's buffer limit (OidcServices) lands here too.
            return TokenResponse.Transient("The provider could not be reached: " + ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TokenResponse.Transient("The provider did not answer in time.");
        }
        finally
        {
            response?.Dispose();
        }
    }

    // Strict: bytes that are not UTF-8 are no JSON (RFC 8259 §8.1), whatever charset the Content-Type names.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static async Task<TokenResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400)
        {
            // Redirects are not followed (OidcServices): following one would re-send the form, secrets included, to
            // wherever it points. A provider that moved is the operator's to fix, not the session's fault.
            return TokenResponse.Transient($"The provider answered {status}, a redirect, which is not followed.");
        }

        if (status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
        {
            return TokenResponse.Transient($"The provider answered {status}.");
        }

        // The bytes, not ReadAsStringAsync: that throws on a charset it does not know.
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        string body;
        try
        {
            body = Utf8.GetString(bytes.AsSpan(bytes.AsSpan().StartsWith(Utf8.Preamble) ? Utf8.Preamble.Length : 0));
        }
        catch (DecoderFallbackException)
        {
            return TokenResponse.NotJson($"The provider answered {status} with a body that is not UTF-8.");
        }

        if (response.IsSuccessStatusCode)
        {
            // Revocation answers 200 with an empty body.
            return TokenResponse.TrySuccess(body.Length == 0 ? "{}" : body) ?? TokenResponse.NotJson($"The provider answered {status} with a body that is not JSON.");
        }

        return ParseError(body, status);
    }

    private static TokenResponse ParseError(string body, int status)
    {
        string? error = null;
        string? description = null;
        var isJson = body.Length == 0;
        try
        {
            using var document = JsonDocument.Parse(body);
            isJson = true;
            error = TokenResponse.String(document.RootElement, "error");
            description = TokenResponse.String(document.RootElement, "error_description");
        }
        catch (JsonException)
        {
        }

        if (error == "invalid_grant")
        {
            return TokenResponse.Failure(error, description);
        }

        if (error is not null)
        {
            return TokenResponse.Transient($"The provider answered {status} {error}.", error);
        }

        return status == 400 && isJson
            ? TokenResponse.Failure("invalid_response", "The provider answered 400 without an OAuth error.")
            : TokenResponse.NotJson($"The provider answered {status} without an OAuth error.");
    }
}
