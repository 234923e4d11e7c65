using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Http;

public sealed class ClientAddressResolverTests
{
    /// <summary>The client address after the edge's forwarded-headers step, configured from <c>Bff:TrustedProxies</c>.</summary>
    private static async Task<string?> ResolveAsync(string[] trusted, string peer, params string[] forwardedFor)
    {
        var bff = new BffOptions { TrustedProxies = [.. trusted] };
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>>(new ForwardedHeadersSetup(Options.Create(bff)));
        var app = new ApplicationBuilder(services.BuildServiceProvider());
        ForwardedHeadersSetup.Use(app, bff);
        string? resolved = null;
        app.Run(context =>
        {
            resolved = new ClientAddressResolver().ResolveText(context);
            return Task.CompletedTask;
        });

        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor.Length > 0)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        await app.Build()(context);
        return resolved;
    }

    [Fact]
    public async Task Without_trusted_proxies_the_header_is_ignored() =>
        Assert.Equal("198.51.100.1", await ResolveAsync([], "198.51.100.1", "203.0.113.9"));

    [Fact]
    public async Task Without_trusted_proxies_the_frameworks_own_middleware_applies_nothing_either()
    {
        // Wherever the framework's middleware runs from (ASPNETCORE_FORWARDEDHEADERS_ENABLED adds it), it reads these
        // options, and with no known proxy it would otherwise believe every peer.
        var options = new ForwardedHeadersOptions();
        new ForwardedHeadersSetup(Options.Create(new BffOptions())).Configure(options);
        var app = new ApplicationBuilder(new ServiceCollection().AddLogging().BuildServiceProvider());
        app.UseForwardedHeaders(options);
        app.Run(_ => Task.CompletedTask);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.1");
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("bff.example");
        context.Request.Headers["X-Forwarded-For"] = "6.6.6.6";
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Request.Headers["X-Forwarded-Host"] = "evil.example";

        await app.Build()(context);

        Assert.Equal(ForwardedHeaders.None, options.ForwardedHeaders);
        Assert.Equal(("198.51.100.1", "http", "bff.example"), (context.Connection.RemoteIpAddress!.ToString(), context.Request.Scheme, context.Request.Host.Value));
    }

    [Fact]
    public async Task Loopback_is_not_trusted_unless_configured() =>
        Assert.Equal("127.0.0.1", await ResolveAsync([], "127.0.0.1", "203.0.113.9"));

    [Fact]
    public async Task A_header_from_an_untrusted_peer_is_ignored() =>
        Assert.Equal("198.51.100.1", await ResolveAsync(["10.0.0.1"], "198.51.100.1", "203.0.113.9"));

    [Fact]
    public async Task A_trusted_proxy_names_the_client() =>
        Assert.Equal("203.0.113.9", await ResolveAsync(["10.0.0.1"], "10.0.0.1", "203.0.113.9"));

    [Fact]
    public async Task The_rightmost_untrusted_hop_is_the_client_whatever_the_client_prepended() =>
        Assert.Equal("203.0.113.9", await ResolveAsync(["10.0.0.0/8"], "10.0.0.1", "6.6.6.6, 203.0.113.9, 10.2.3.4"));

    [Fact]
    public async Task Several_header_lines_are_read_as_one_list() =>
        Assert.Equal("203.0.113.9", await ResolveAsync(["10.0.0.0/8"], "10.0.0.1", "6.6.6.6", "203.0.113.9, 10.2.3.4"));

    [Fact]
    public async Task Garbage_in_the_chain_stops_at_the_last_trusted_view() =>
        Assert.Equal("10.2.3.4", await ResolveAsync(["10.0.0.0/8"], "10.0.0.1", "203.0.113.9, not-an-ip, 10.2.3.4"));

    [Fact]
    public async Task IPv4_mapped_peers_and_ports_are_normalized() =>
        Assert.Equal("203.0.113.9", await ResolveAsync(["127.0.0.1"], "::ffff:127.0.0.1", "203.0.113.9:5123"));

    [Fact]
    public async Task IPv6_ranges_work() =>
        Assert.Equal("2001:db8::7", await ResolveAsync(["fd00::/8"], "fd00::1", "[2001:db8::7]:443"));

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("::1", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("proxy.internal", false)]
    [InlineData("", false)]
    public void Entries_are_addresses_or_ranges(string entry, bool valid) =>
        Assert.Equal(valid, TrustedProxyEntry.TryParse(entry, out _));
}
