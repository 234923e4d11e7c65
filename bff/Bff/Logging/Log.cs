namespace Bff.Logging;

/// <summary>
/// Every log line of the BFF, with a stable event id. No token or cookie value is ever a parameter here.
/// Event-id ranges: 1xxx sign-in, 2xxx sessions, 3xxx anti-forgery, 4xxx proxy, 5xxx endpoints,
/// 6xxx Redis, 7xxx tokens, 8xxx session management and back-channel logout, 9xxx audit and health.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Warning, "The identity provider is unavailable: {ErrorType}: {Error}")]
    public static partial void ProviderUnavailable(ILogger logger, string errorType, string error);

    [LoggerMessage(1002, LogLevel.Warning, "Sign-in failed: {Reason}")]
    public static partial void SignInFailed(ILogger logger, string reason);

    [LoggerMessage(2001, LogLevel.Information, "Session {SessionId} created for {Subject} (provider session {ProviderSessionId})")]
    public static partial void SessionCreated(ILogger logger, string sessionId, string subject, string? providerSessionId);

    [LoggerMessage(2002, LogLevel.Information, "Session {SessionId} of {Subject} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string sessionId, string subject, string reason);

    [LoggerMessage(2003, LogLevel.Warning, "{Observer} failed for ended session {SessionId}: {ErrorType}")]
    public static partial void SessionEndObserverFailed(ILogger logger, string observer, string sessionId, string errorType);

    [LoggerMessage(3001, LogLevel.Information, "Request to {Path} refused: the X-CSRF header is missing")]
    public static partial void AntiforgeryHeaderMissing(ILogger logger, string path);

    [LoggerMessage(4001, LogLevel.Warning, "Proxied request refused: path {Path} tries to leave its route")]
    public static partial void ProxyPathRejected(ILogger logger, string path);

    [LoggerMessage(4002, LogLevel.Information, "Proxied request to route {RouteId} refused: no signed-in session")]
    public static partial void ProxyNoSession(ILogger logger, string routeId);

    [LoggerMessage(4004, LogLevel.Information, "{Count} proxied call(s) in flight aborted: their session ended ({Reason})")]
    public static partial void ProxyCallsAborted(ILogger logger, int count, string reason);

    [LoggerMessage(4005, LogLevel.Warning, "Checking the sessions of proxied calls in flight failed: {ErrorType}")]
    public static partial void ProxyCallCheckFailed(ILogger logger, string errorType);

    [LoggerMessage(4006, LogLevel.Warning, "A proxied call on route {RouteId} could not be aborted: {ErrorType}")]
    public static partial void ProxyCallAbortFailed(ILogger logger, string routeId, string errorType);

    [LoggerMessage(5001, LogLevel.Warning, "Logout refused: the sid parameter is missing or does not match the session")]
    public static partial void LogoutSidMismatch(ILogger logger);

    [LoggerMessage(5003, LogLevel.Warning, "Logout refused: the link was followed from another site or origin (Sec-Fetch-Site: {Site})")]
    public static partial void LogoutFromElsewhere(ILogger logger, string site);

    [LoggerMessage(5002, LogLevel.Warning, "Login refused: returnUrl is not a local path")]
    public static partial void ReturnUrlRejected(ILogger logger);

    [LoggerMessage(7001, LogLevel.Information, "Access token of session {SessionId} ({Subject}) refreshed: lives {ExpiresIn} s, refresh token rotated: {Rotated}")]
    public static partial void TokenRefreshed(ILogger logger, string sessionId, string subject, int expiresIn, bool rotated);

    [LoggerMessage(7002, LogLevel.Warning, "Refresh of session {SessionId} ({Subject}) was refused ({Reason}): the session ends")]
    public static partial void TokenRefreshRejected(ILogger logger, string sessionId, string subject, string reason);

    [LoggerMessage(7003, LogLevel.Warning, "Refresh of session {SessionId} failed for now ({Error}); next try in {BackoffSeconds} s")]
    public static partial void TokenRefreshTransientFailure(ILogger logger, string sessionId, string error, double backoffSeconds);

    [LoggerMessage(7004, LogLevel.Warning, "Waited too long for another instance to refresh a session's token")]
    public static partial void TokenRefreshWaitTimedOut(ILogger logger);

    [LoggerMessage(7005, LogLevel.Warning, "The refresh lock of session {SessionId} was lost while the provider answered")]
    public static partial void TokenRefreshLeaseLost(ILogger logger, string sessionId);

    [LoggerMessage(7010, LogLevel.Information, "Client token for scope '{Scope}' fetched: lives {ExpiresIn} s")]
    public static partial void ClientTokenFetched(ILogger logger, string scope, int expiresIn);

    [LoggerMessage(7011, LogLevel.Warning, "Client token for scope '{Scope}' could not be fetched: {Error}")]
    public static partial void ClientTokenFailed(ILogger logger, string scope, string error);

    [LoggerMessage(7020, LogLevel.Information, "Refresh token of ended session {SessionId} revoked at the provider")]
    public static partial void RefreshTokenRevoked(ILogger logger, string sessionId);

    [LoggerMessage(7021, LogLevel.Warning, "Refresh token of ended session {SessionId} could not be revoked: {Error}")]
    public static partial void RefreshTokenRevocationFailed(ILogger logger, string sessionId, string error);

    [LoggerMessage(7022, LogLevel.Warning, "Refresh tokens of ended sessions not revoked: {Skipped} so far, {Pending} revocations already wait for the provider")]
    public static partial void RefreshTokenRevocationSkipped(ILogger logger, int skipped, int pending);

    [LoggerMessage(7023, LogLevel.Warning, "Stopping with {Pending} refresh tokens of ended sessions not revoked")]
    public static partial void RefreshTokenRevocationsAbandoned(ILogger logger, int pending);

    [LoggerMessage(4003, LogLevel.Information, "Proxied request to route {RouteId} refused: {Reason}")]
    public static partial void ProxyTokenUnavailable(ILogger logger, string routeId, string reason);

    [LoggerMessage(8001, LogLevel.Warning, "Back-channel logout refused: {Reason}")]
    public static partial void BackChannelLogoutRejected(ILogger logger, string reason);

    [LoggerMessage(8002, LogLevel.Information, "Back-channel logout for subject {Subject} (provider session {ProviderSessionId}) ended {Count} session(s)")]
    public static partial void BackChannelLogoutProcessed(ILogger logger, string? subject, string? providerSessionId, int count);

    [LoggerMessage(8003, LogLevel.Warning, "Request by {Subject} to end session {SessionId} refused: no such session of theirs")]
    public static partial void SessionEndRefused(ILogger logger, string subject, string sessionId);

    [LoggerMessage(8004, LogLevel.Warning, "Rate limit reached on {Path} for client {ClientAddress} ({Unlogged} earlier rejections of this client not logged; at most one line per client a minute)")]
    public static partial void RateLimited(ILogger logger, string path, string? clientAddress, int unlogged);

    [LoggerMessage(8005, LogLevel.Warning, "Counting the active sessions failed: {ErrorType}")]
    public static partial void SessionCountFailed(ILogger logger, string errorType);

    [LoggerMessage(8006, LogLevel.Information, "{Subject} signed out everywhere: {Count} session(s) ended")]
    public static partial void SignedOutEverywhere(ILogger logger, string subject, int count);

    [LoggerMessage(8007, LogLevel.Warning, "Back-channel logout failed ({ErrorType}) and its logout token could not be made usable again ({ForgetErrorType}): the provider's retry will be refused as a replay")]
    public static partial void BackChannelLogoutNotForgotten(ILogger logger, string errorType, string forgetErrorType);

    // 82xx: sign-in on the OpenID Connect handler.

    [LoggerMessage(8200, LogLevel.Warning, "Sign-in could not start: {ErrorType}: {Reason}")]
    public static partial void SignInNotStarted(ILogger logger, string errorType, string reason);

    [LoggerMessage(9001, LogLevel.Information, "Audit: session {SessionId} created for {Subject} (provider session {ProviderSessionId}) from {IpAddress}, {Device}")]
    public static partial void AuditSessionCreated(ILogger logger, string sessionId, string subject, string? providerSessionId, string? ipAddress, string? device);

    [LoggerMessage(9002, LogLevel.Information, "Audit: session {SessionId} of {Subject} (provider session {ProviderSessionId}) refreshed; created from {IpAddress}, {Device}")]
    public static partial void AuditSessionRefreshed(ILogger logger, string sessionId, string subject, string? providerSessionId, string? ipAddress, string? device);

    [LoggerMessage(9003, LogLevel.Information, "Audit: session {SessionId} of {Subject} (provider session {ProviderSessionId}) ended: {Reason}; created from {IpAddress}, {Device}")]
    public static partial void AuditSessionEnded(ILogger logger, string sessionId, string subject, string? providerSessionId, string? ipAddress, string? device, string reason);

    [LoggerMessage(9004, LogLevel.Warning, "The audit trail could not record the {Kind} event of session {SessionId}: {ErrorType}")]
    public static partial void AuditTrailFailed(ILogger logger, string kind, string sessionId, string errorType);

    // 6xxx: Redis and the session store's availability.

    [LoggerMessage(6001, LogLevel.Warning, "Redis {ConnectionType} connection to {Endpoint} failed: {FailureType}")]
    public static partial void RedisConnectionFailed(ILogger logger, string connectionType, string? endpoint, string failureType);

    [LoggerMessage(6002, LogLevel.Information, "Redis {ConnectionType} connection to {Endpoint} restored")]
    public static partial void RedisConnectionRestored(ILogger logger, string connectionType, string? endpoint);

    [LoggerMessage(6003, LogLevel.Debug, "Redis did not answer {Operation}: {ErrorType}")]
    public static partial void RedisCommandFailed(ILogger logger, string operation, string errorType);

    [LoggerMessage(6004, LogLevel.Warning, "{Method} {Path} answered 503: the session store is unavailable ({Cause})")]
    public static partial void SessionStoreUnavailable(ILogger logger, string method, string path, string cause);

    [LoggerMessage(6005, LogLevel.Warning, "A session stored in Redis could not be read ({Problem}); it is treated as gone")]
    public static partial void RedisSessionUnreadable(ILogger logger, string problem);

    [LoggerMessage(6007, LogLevel.Debug, "Lock {Name} could not be released ({ErrorType}); its lease runs out by itself")]
    public static partial void RedisLockReleaseFailed(ILogger logger, string name, string errorType);

    [LoggerMessage(6008, LogLevel.Information, "Connecting to Redis at {Endpoints} (key prefix '{KeyPrefix}')")]
    public static partial void RedisConnecting(ILogger logger, string endpoints, string keyPrefix);

    [LoggerMessage(6009, LogLevel.Warning, "Sweeping expired sessions from Redis failed ({ErrorType}); the next sweep tries again")]
    public static partial void RedisSweepFailed(ILogger logger, string errorType);

    [LoggerMessage(6010, LogLevel.Warning, "An ended session's index and schedule entries could not be removed ({Error}); they are skipped on read until they expire")]
    public static partial void RedisSessionEntriesNotRemoved(ILogger logger, string error);

    [LoggerMessage(6012, LogLevel.Warning, "Bff:Redis:ApplicationName is '{ApplicationName}' but the key prefix is still the default '{KeyPrefix}': if another application uses this Redis with the same prefix, both see each other's sessions in their lists, sign out everywhere and back-channel logout. Give each application its own Bff:Redis:KeyPrefix")]
    public static partial void RedisDefaultPrefixForRenamedApplication(ILogger logger, string applicationName, string keyPrefix);

    [LoggerMessage(6011, LogLevel.Warning, "The sign-in of session {SessionId} failed once its save had begun ({ErrorType}): the session is ended again, should it have been stored")]
    public static partial void SessionCreationUndone(ILogger logger, string sessionId, string errorType);

    [LoggerMessage(6014, LogLevel.Error, "An ended session's tombstone could not be removed ({Error}): the sweeper may report that session's end a second time at its deadline")]
    public static partial void RedisTombstoneNotRemoved(ILogger logger, string error);

    [LoggerMessage(6013, LogLevel.Warning, "Redis may evict keys to make room: {Servers}. Eviction signs users out silently and can drop a user's session index, so that sign out everywhere and back-channel logout miss live sessions. Set maxmemory-policy noeviction")]
    public static partial void RedisMayEvict(ILogger logger, string servers);

    // 95xx: the edge (hostile or malformed requests, transport security).

    [LoggerMessage(9501, LogLevel.Information, "{Method} {Path} refused with {Status}: the request could not be read")]
    public static partial void BadRequestRefused(ILogger logger, string method, string path, int status);

    [LoggerMessage(9502, LogLevel.Error, "{Method} {Path} failed unexpectedly; answered 500 without details")]
    public static partial void UnhandledRequestFailure(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(9503, LogLevel.Warning, "Proxied request {Path} refused: header {Header} has a value that is not printable ASCII")]
    public static partial void ProxyHeaderRejected(ILogger logger, string path, string header);

    [LoggerMessage(9504, LogLevel.Warning, "The BFF serves plain HTTP in {Environment} with Bff:AllowPlainHttp set: session cookies are sent without Secure")]
    public static partial void PlainHttpAllowed(ILogger logger, string environment);

    // 81xx: Redis sweeper, key ring, cluster and failover.

    [LoggerMessage(8101, LogLevel.Information, "Ended {Count} expired sessions from Redis in {ElapsedMs} ms")]
    public static partial void RedisSweepEnded(ILogger logger, int count, long elapsedMs);

    [LoggerMessage(8102, LogLevel.Information, "Keys this instance adds to the data-protection key ring in Redis are encrypted with certificate {Thumbprint}, and only an encrypted key protects new data")]
    public static partial void KeyRingCertificateLoaded(ILogger logger, string thumbprint);

    [LoggerMessage(8110, LogLevel.Warning, "The data-protection key ring in Redis had no encrypted key to protect new data with: key {KeyId}, encrypted, was created and protects new data from now on")]
    public static partial void KeyRingDefaultKeyReplaced(ILogger logger, Guid keyId);

    [LoggerMessage(8111, LogLevel.Warning, "The data-protection key ring in Redis still holds {Count} unencrypted key(s) ({KeyIds}), readable by anyone who can read Redis. They stay usable so that the cookies and sessions they protect keep working until they end; to end those now instead, revoke the keys (IKeyManager.RevokeKey) and restart every instance")]
    public static partial void KeyRingHoldsClearKeys(ILogger logger, int count, string keyIds);

    [LoggerMessage(8112, LogLevel.Warning, "The data-protection key ring in Redis could not be checked at start-up: Redis does not answer ({ErrorType})")]
    public static partial void KeyRingNotChecked(ILogger logger, string errorType);

    // 83xx: session experience (re-authentication, ending other sessions).

    [LoggerMessage(8301, LogLevel.Information, "Sign-in asks the provider for the password again: this browser's session was ended elsewhere ({Reason})")]
    public static partial void ReauthenticationRequired(ILogger logger, string reason);

    [LoggerMessage(8303, LogLevel.Warning, "Session {SessionId} was ended as soon as it was created: a session of the same provider session was ended from elsewhere ({Reason}) while this sign-in was under way")]
    public static partial void SessionEndedDuringSignIn(ILogger logger, string sessionId, string reason);

    [LoggerMessage(8302, LogLevel.Information, "{Subject} signed out all other sessions: {Count} session(s) ended")]
    public static partial void SignedOutOthers(ILogger logger, string subject, int count);
}
