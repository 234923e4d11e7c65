namespace Bff.Sessions;

/// <summary>The session the current request was authenticated with, kept as an HttpContext feature.</summary>
internal sealed class CurrentSession(SessionRecord record)
{
    public SessionRecord Record { get; set; } = record;
}
