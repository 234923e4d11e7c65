using Bff.Logging;

namespace Bff.Tests.Logging;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("invalid_scope")]
    [InlineData("a b ~!")]
    public void Printable_text_is_kept(string value) => Assert.Equal(value, LogText.Printable(value));

    [Theory]
    [InlineData("x\r\n2026-01-01 info: forged line")]
    [InlineData("\u001b[31mred")]
    [InlineData("caf\u00e9")]
    public void Control_characters_and_non_ascii_are_never_logged(string value)
    {
        var logged = LogText.Printable(value);

        Assert.DoesNotContain(logged, c => c < ' ' || c > '~');
        Assert.Contains(value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), logged, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_text_is_replaced_not_logged() =>
        Assert.DoesNotContain("xxxxxxxx", LogText.Printable(new string('x', 8_000)), StringComparison.Ordinal);

    [Fact]
    public void Missing_text_says_so() => Assert.Equal("(none)", LogText.Printable(null));
}
