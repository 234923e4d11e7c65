using System.Diagnostics;

namespace Bff.Tests.Integration;

/// <summary>
/// The benchmark's stack (bench/): the demo API as its own process, so that the benchmark process's CPU time is
/// the proxy's alone. It must serve the proxied call like the in-process API, and go away with the stack.
/// </summary>
public sealed class ApiInOwnProcessTests
{
    [Fact]
    public async Task The_api_runs_in_its_own_process_serves_the_proxied_call_and_stops_with_the_stack()
    {
        Process api;
        await using (var stack = await TestStack.StartAsync(new TestStackOptions { ApiInOwnProcess = true }))
        {
            api = Process.GetProcessById(Assert.IsType<int>(stack.ApiProcessId));
            Assert.NotEqual(Environment.ProcessId, api.Id);

            using var browser = stack.NewBrowser();
            await browser.SignInAsync("own-process-user");
            var whoami = await browser.GetJsonAsync("/api/whoami");

            Assert.Equal("own-process-user", whoami.GetProperty("sub").GetString());
            Assert.False(api.HasExited);
        }

        using (api)
        {
            Assert.True(api.HasExited);
        }
    }
}
