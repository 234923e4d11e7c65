namespace Bff.Http;

/// <summary>
/// Set on a request whose session cookie named a session that has ended, with why, so that its 401 can
/// say so (once: the reason is consumed when it is read).
/// </summary>
internal sealed class EndedSessionFeature(string reason, string message)
{
    /// <summary>The end reason, e.g. <c>EndedFromOtherSession</c>.</summary>
    public string Reason { get; } = reason;

    /// <summary>A sentence for the person who was signed in.</summary>
    public string Message { get; } = message;
}
