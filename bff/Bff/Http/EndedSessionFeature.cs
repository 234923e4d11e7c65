namespace Bff.Http;

/// <summary>
/// Set on a request whose session cookie named a session that has ended, with why, so that a 401 can say so.
/// Told once: whoever writes the 401 calls <see cref="ToldAsync"/>, and later requests get a plain 401.
/// (Requests that pass without a 401, such as the SPA's HTML, leave the reason for the next API call.)
/// </summary>
/// <param name="Reason">The end reason, e.g. <c>EndedFromOtherSession</c>.</param>
/// <param name="Message">A sentence for the person who was signed in.</param>
/// <param name="ToldAsync">Marks the reason as told.</param>
internal sealed record EndedSessionFeature(string Reason, string Message, Func<CancellationToken, Task> ToldAsync);
