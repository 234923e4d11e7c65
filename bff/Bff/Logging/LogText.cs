namespace Bff.Logging;

/// <summary>
/// Text a client chose, made safe to log: printable ASCII up to a length, or a placeholder. Keeps control
/// characters (a forged line break, terminal escapes) and kilobytes of junk out of the log.
/// </summary>
internal static class LogText
{
    public static string Printable(string? value, int maxLength = 64) =>
        value is null ? "(none)"
        : value.Length <= maxLength && value.All(c => c is >= ' ' and <= '~') ? value
        : $"(not printable or too long: {value.Length} characters)";
}
