namespace Bff.Http.Responses;

/// <summary>The stable error codes an API caller can act on; each is also the tail of the problem's <c>type</c>.</summary>
public static class ProblemCodes
{
    /// <summary>The request lacks the <c>X-CSRF: 1</c> header.</summary>
    public const string AntiforgeryHeaderMissing = "antiforgery_header_missing";

    /// <summary>There is no signed-in session.</summary>
    public const string NotAuthenticated = "not_authenticated";

    /// <summary>The session ended (expired, signed out elsewhere, or its tokens could no longer be refreshed).</summary>
    public const string SessionEnded = "session_ended";

    /// <summary>The session store cannot be reached.</summary>
    public const string SessionStoreUnavailable = "session_store_unavailable";

    /// <summary>The identity provider cannot be reached.</summary>
    public const string ProviderUnavailable = "provider_unavailable";

    /// <summary>Sign-in at the provider did not complete (refused, expired or tampered with).</summary>
    public const string SignInFailed = "sign_in_failed";

    /// <summary>A parameter is malformed or not allowed.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>The proxied path tries to leave its route.</summary>
    public const string InvalidPath = "invalid_path";

    /// <summary>The resource does not exist (or is not the caller's).</summary>
    public const string NotFound = "not_found";

    /// <summary>Too many attempts from this client address; retry after the <c>Retry-After</c> header's seconds.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The HTTP method is not served (<c>CONNECT</c>, <c>TRACE</c>, or one the endpoint does not take).</summary>
    public const string MethodNotAllowed = "method_not_allowed";

    /// <summary>The request body is larger than the endpoint accepts.</summary>
    public const string RequestTooLarge = "request_too_large";

    /// <summary>
    /// The API behind a remote-API route cannot be reached or its answer cannot be read (502), or its cluster has no
    /// destination available (503).
    /// </summary>
    public const string UpstreamUnavailable = "upstream_unavailable";

    /// <summary>The API behind a remote-API route did not answer within its cluster's activity timeout (504).</summary>
    public const string UpstreamTimeout = "upstream_timeout";

    /// <summary>An unexpected failure; the details are in the server's log, never in the answer.</summary>
    public const string InternalError = "internal_error";
}
