using System.Net;
using Bff.Configuration;
using Bff.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Bff.Tests.Http;

public sealed class ClientAddressResolverTests
{
    private static ClientAddressResolver Resolver(params string[] trusted) =>
        new(Options.Create(new BffOptions { TrustedProxies = [.. trusted] }));

    private static HttpContext Request(string peer, params string[] forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor.Length > 0)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        return context;
    }

    [Fact]
    public void Without_trusted_proxies_the_header_is_ignored() =>
        Assert.Equal("198.51.100.1", Resolver().ResolveText(Request("198.51.100.1", "203.0.113.9")));

    [Fact]
    public void A_header_from_an_untrusted_peer_is_ignored() =>
        Assert.Equal("198.51.100.1", Resolver("10.0.0.1").ResolveText(Request("198.51.100.1", "203.0.113.9")));

    [Fact]
    public void A_trusted_proxy_names_the_client() =>
        Assert.Equal("203.0.113.9", Resolver("10.0.0.1").ResolveText(Request("10.0.0.1", "203.0.113.9")));

    [Fact]
    public void The_rightmost_untrusted_hop_is_the_client_whatever_the_client_prepended() =>
        Assert.Equal("203.0.113.9", Resolver("10.0.0.0/8").ResolveText(Request("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.2.3.4")));

    [Fact]
    public void Several_header_lines_are_read_as_one_list() =>
        Assert.Equal("203.0.113.9", Resolver("10.0.0.0/8").ResolveText(Request("10.0.0.1", "6.6.6.6", "203.0.113.9, 10.2.3.4")));

    [Fact]
    public void Garbage_in_the_chain_stops_at_the_last_trusted_view() =>
        Assert.Equal("10.2.3.4", Resolver("10.0.0.0/8").ResolveText(Request("10.0.0.1", "203.0.113.9, not-an-ip, 10.2.3.4")));

    [Fact]
    public void IPv4_mapped_peers_and_ports_are_normalized() =>
        Assert.Equal("203.0.113.9", Resolver("127.0.0.1").ResolveText(Request("::ffff:127.0.0.1", "203.0.113.9:5123")));

    [Fact]
    public void IPv6_ranges_work() =>
        Assert.Equal("2001:db8::7", Resolver("fd00::/8").ResolveText(Request("fd00::1", "[2001:db8::7]:443")));

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("::1", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("proxy.internal", false)]
    [InlineData("", false)]
    public void Entries_are_addresses_or_ranges(string entry, bool valid) =>
        Assert.Equal(valid, ClientAddressResolver.TryParseNetwork(entry, out _));
}
