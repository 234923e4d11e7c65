namespace Bff.Http;

/// <summary>
/// Set on a request whose session cookie named a session that has ended, with why, so that a 401 can say so.
/// Told once: whoever writes the 401 calls <see cref="ToldAsync"/>, and later requests get a plain 401.
/// (Requests that pass without a 401, such as the SPA's HTML, leave the reason for the next API call.)
/// </summary>
internal sealed class EndedSessionFeature(string reason, string message, Func<CancellationToken, Task> told)
{
    /// <summary>The end reason, e.g. <c>EndedFromOtherSession</c>.</summary>
    public string Reason { get; } = reason;

    /// <summary>A sentence for the person who was signed in.</summary>
    public string Message { get; } = message;

    /// <summary>Marks the reason as told.</summary>
    public Task ToldAsync(CancellationToken cancellationToken) => told(cancellationToken);
}
