using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>
/// The same keywords go on the config's server line and after <c>add server</c> at runtime
/// (dynamic servers inherit no default-server), so every combination is pinned exactly.
/// </summary>
public class ServerKeywordsSpecs
{
    private static readonly HealthCheck NoCheck = new() { Enabled = false };

    public static TheoryData<string, Backend, BackendServer, string> Combinations => new()
    {
        { "http1, default check", Backend(), Server(), "check inter 2s" },
        { "http1, no check", Backend() with { HealthCheck = NoCheck }, Server(), "" },
        { "http1, path check at 500ms", Backend() with { HealthCheck = new() { Path = "/h", Interval = TimeSpan.FromMilliseconds(500) } }, Server(), "check inter 500ms" },
        { "http1, weight", Backend(), Server(weight: 5), "check inter 2s weight 5" },
        { "http1, weight 0, no check", Backend() with { HealthCheck = NoCheck }, Server(weight: 0), "weight 0" },
        { "http1, maint (state is not a keyword)", Backend(), Server(state: ServerAdminState.Maint), "check inter 2s" },
        { "http1, tls settings ignored", Backend() with { Tls = new() { Sni = "x.test" } }, Server(), "check inter 2s" },
        { "h2c", Backend() with { Protocol = ServerProtocol.H2c }, Server(weight: 2), "check inter 2s weight 2 proto h2" },
        { "h2c, no check", Backend() with { Protocol = ServerProtocol.H2c, HealthCheck = NoCheck }, Server(), "proto h2" },
        {
            "h2, default tls", Backend() with { Protocol = ServerProtocol.H2 }, Server(),
            "check inter 2s ssl verify required ca-file @system-ca alpn h2,http/1.1"
        },
        {
            "h2, sni with check", Backend() with { Protocol = ServerProtocol.H2, Tls = new() { Sni = "api.internal" } }, Server(),
            "check inter 2s ssl verify required ca-file @system-ca sni str(api.internal) check-sni api.internal alpn h2,http/1.1"
        },
        {
            "h2, sni without check", Backend() with { Protocol = ServerProtocol.H2, Tls = new() { Sni = "api.internal" }, HealthCheck = NoCheck }, Server(),
            "ssl verify required ca-file @system-ca sni str(api.internal) alpn h2,http/1.1"
        },
        {
            "h2, ca file", Backend() with { Protocol = ServerProtocol.H2, Tls = new() { CaFile = "/etc/gw/ca.pem" } }, Server(weight: 9),
            "check inter 2s weight 9 ssl verify required ca-file /etc/gw/ca.pem alpn h2,http/1.1"
        },
        {
            "h2, verify off ignores the ca file", Backend() with { Protocol = ServerProtocol.H2, Tls = new() { Verify = false, CaFile = "/etc/gw/ca.pem" } }, Server(),
            "check inter 2s ssl verify none alpn h2,http/1.1"
        },
        {
            "h2, verify off with sni, no check", Backend() with { Protocol = ServerProtocol.H2, Tls = new() { Verify = false, Sni = "a.b" }, HealthCheck = NoCheck }, Server(),
            "ssl verify none sni str(a.b) alpn h2,http/1.1"
        },
    };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void ServerKeywords_should_spell_out_the_keywords_for_each_protocol_and_option(string combination, Backend backend, BackendServer server, string expected)
    {
        var keywords = ServerKeywords.For(backend, server);

        Assert.True(expected == keywords, $"{combination}: expected [{expected}], got [{keywords}]");
    }

    [Theory]
    [InlineData("10.0.0.1", 8080, "10.0.0.1:8080")]
    [InlineData("::1", 8080, "[::1]:8080")]
    [InlineData("2001:db8::1", 443, "[2001:db8::1]:443")]
    [InlineData("::ffff:10.0.0.1", 1, "[::ffff:10.0.0.1]:1")]
    public void ServerKeywords_should_write_the_address_with_ipv6_in_brackets(string ip, int port, string expected)
    {
        var server = Server(ip: ip, port: port);

        var address = ServerKeywords.Address(server);

        Assert.Equal(expected, address);
    }
}
