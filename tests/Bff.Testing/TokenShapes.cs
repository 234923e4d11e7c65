using System.Text.RegularExpressions;

namespace Bff.Testing;

/// <summary>
/// Recognises a JSON Web Token inside text. A bare "eyJ" is not enough: random base64url (session
/// keys, sids) contains it by chance about once in every few thousand values.
/// </summary>
public static partial class TokenShapes
{
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.")]
    private static partial Regex Jwt();

    public static bool ContainsJwt(string text) => Jwt().IsMatch(text);
}
