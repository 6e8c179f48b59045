using Gateway.Actors.Haproxy;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>Frontend settings reach haproxy.cfg unquoted, so each bad value is refused on its own field before rendering.</summary>
public class GatewayConfigSpecs
{
    private static readonly GatewayConfig Https = new() { HttpsEnabled = true, SslCertDir = "/etc/gw/certs" };

    public static TheoryData<string, GatewayConfig, string> BadValues => new()
    {
        { "frontend name with a space", new() { FrontendName = "http gateway" }, "FrontendName" },
        { "frontend name with a newline", new() { FrontendName = "gw\n" }, "FrontendName" },
        { "empty frontend name", new() { FrontendName = "" }, "FrontendName" },
        { "HTTP port 0", new() { HttpPort = 0 }, "HTTPPort" },
        { "HTTP port 70000", new() { HttpPort = 70000 }, "HTTPPort" },
        { "HTTPS port 0", Https with { HttpsPort = 0 }, "HTTPSPort" },
        { "HTTPS port 70000", Https with { HttpsPort = 70000 }, "HTTPSPort" },
        { "HTTPS port equal to the HTTP port", Https with { HttpPort = 8080, HttpsPort = 8080 }, "HTTPSPort" },
        { "relative cert dir", Https with { SslCertDir = "certs" }, "SSLCertDir" },
        { "cert dir with a space", Https with { SslCertDir = "/etc/gw/my certs" }, "SSLCertDir" },
        { "empty cert dir", Https with { SslCertDir = "" }, "SSLCertDir" },
        { "ALPN h3", Https with { Alpn = "h3" }, "ALPN" },
        { "ALPN with a space", Https with { Alpn = "h2, http/1.1" }, "ALPN" },
        { "empty ALPN", Https with { Alpn = "" }, "ALPN" },
        { "default backend with a space", new() { DefaultBackend = "a b" }, "DefaultBackend" },
        { "IPv6 address as the IPv4 bind address", new() { IPv4BindAddr = "::1" }, "IPv4BindAddr" },
        { "IPv6 any as the IPv4 bind address", new() { IPv4BindAddr = "::" }, "IPv4BindAddr" },
        { "not an address as the IPv4 bind address", new() { IPv4BindAddr = "x" }, "IPv4BindAddr" },
        { "IPv4 address as the IPv6 bind address", new() { IPv6BindAddr = "127.0.0.1" }, "IPv6BindAddr" },
        { "IPv4 any as the IPv6 bind address", new() { IPv6BindAddr = "0.0.0.0" }, "IPv6BindAddr" },
        { "bracketed IPv6 bind address", new() { IPv6BindAddr = "[::]" }, "IPv6BindAddr" },
        { "both bind addresses empty", new() { IPv4BindAddr = "", IPv6BindAddr = "" }, "IPv4BindAddr" },
    };

    [Fact]
    public void GatewayConfig_should_be_valid_with_its_defaults()
    {
        var config = new GatewayConfig();

        var errors = config.Validate();

        Assert.Empty(errors);
    }

    [Fact]
    public void GatewayConfig_should_be_valid_with_https_and_every_option_set()
    {
        var config = Https with
        {
            HttpPort = 8080, HttpsPort = 8443, StrictSni = true, EnableHttp2 = false, Alpn = "http/1.1,h2,http/1.0",
            DefaultBackend = "web", IPv4BindAddr = "127.0.0.1", IPv6BindAddr = "::1",
        };

        var errors = config.Validate();

        Assert.Empty(errors);
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void GatewayConfig_should_refuse_a_bad_value_on_its_field(string bad, GatewayConfig config, string field)
    {
        var candidate = config;

        var errors = candidate.Validate();

        var error = Assert.Single(errors);
        Assert.True(field == error.Field, $"{bad}: expected an error on [{field}], got [{error}]");
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void GatewayConfig_should_not_check_the_https_settings_when_https_is_disabled()
    {
        var config = new GatewayConfig { HttpsEnabled = false, HttpsPort = 80, SslCertDir = "relative dir", Alpn = "h3" };

        var errors = config.Validate();

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData(true, "h2,http/1.1")]
    [InlineData(false, "http/1.1")]
    public void GatewayConfig_should_offer_only_http1_by_alpn_when_http2_is_disabled(bool http2, string expected)
    {
        var config = new GatewayConfig { EnableHttp2 = http2 };

        var alpn = config.EffectiveAlpn;

        Assert.Equal(expected, alpn);
    }
}
