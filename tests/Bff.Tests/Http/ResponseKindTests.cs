using Microsoft.AspNetCore.Http;

namespace Bff.Tests.Http;

public sealed class ResponseKindTests
{
    private static bool WantsPage(string method, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return ResponseKind.WantsPage(context);
    }

    [Fact]
    public void Fetch_metadata_decides_first()
    {
        Assert.True(WantsPage("GET", ("Sec-Fetch-Mode", "navigate"), ("X-CSRF", "1")));
        Assert.False(WantsPage("GET", ("Sec-Fetch-Mode", "cors"), ("Accept", "text/html")));
    }

    [Fact]
    public void The_anti_forgery_header_marks_a_program_call()
    {
        Assert.False(WantsPage("GET", ("X-CSRF", "1"), ("Accept", "text/html")));
    }

    [Fact]
    public void Without_metadata_a_link_or_a_form_is_a_page_and_anything_else_a_program_call()
    {
        Assert.True(WantsPage("GET", ("Accept", "text/html,application/xhtml+xml")));
        Assert.True(WantsPage("POST", ("Content-Type", "application/x-www-form-urlencoded")));
        Assert.False(WantsPage("GET"));
        Assert.False(WantsPage("GET", ("Accept", "application/json")));
        Assert.False(WantsPage("POST", ("Content-Type", "application/json")));
        Assert.False(WantsPage("DELETE", ("Accept", "text/html")));
    }
}
