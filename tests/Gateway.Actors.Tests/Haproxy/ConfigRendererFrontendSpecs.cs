using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>The frontend's binds follow the seed's GatewayConfig: address families, TLS, HTTP/2, SNI and the default backend.</summary>
public class ConfigRendererFrontendSpecs
{
    private static IReadOnlyList<string> Binds(GatewayConfig frontend, params Backend[] backends) =>
        Section(Render(backends.Length == 0 ? [Backend()] : backends, frontend: frontend).Config, $"frontend {frontend.FrontendName}")
            .Where(l => l.StartsWith("bind ", StringComparison.Ordinal)).ToList();

    [Fact]
    public void ConfigRenderer_should_bind_ipv4_only_when_the_ipv6_bind_address_is_empty()
    {
        var frontend = new GatewayConfig { IPv6BindAddr = "" };

        var binds = Binds(frontend);

        Assert.Equal(["bind 0.0.0.0:80"], binds);
    }

    [Fact]
    public void ConfigRenderer_should_bind_both_families_when_both_addresses_are_set()
    {
        var frontend = new GatewayConfig { IPv4BindAddr = "0.0.0.0", IPv6BindAddr = "::", HttpPort = 8080 };

        var binds = Binds(frontend);

        Assert.Equal(["bind 0.0.0.0:8080", "bind [::]:8080 v6only"], binds);
    }

    [Fact]
    public void ConfigRenderer_should_bind_ipv6_only_when_the_ipv4_bind_address_is_empty()
    {
        var frontend = new GatewayConfig { IPv4BindAddr = "", IPv6BindAddr = "::1" };

        var binds = Binds(frontend);

        Assert.Equal(["bind [::1]:80 v6only"], binds);
    }

    [Fact]
    public void ConfigRenderer_should_not_bind_tls_when_https_is_disabled()
    {
        var frontend = new GatewayConfig { HttpsEnabled = false };

        var binds = Binds(frontend);

        Assert.DoesNotContain(binds, b => b.Contains("ssl", StringComparison.Ordinal) || b.Contains(":443", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigRenderer_should_bind_tls_with_the_cert_dir_and_alpn_when_https_is_enabled()
    {
        var frontend = new GatewayConfig { HttpsEnabled = true, SslCertDir = "/etc/gw/certs" };

        var binds = Binds(frontend);

        Assert.Equal(
        [
            "bind 0.0.0.0:80",
            "bind [::]:80 v6only",
            "bind 0.0.0.0:443 ssl crt /etc/gw/certs alpn h2,http/1.1",
            "bind [::]:443 v6only ssl crt /etc/gw/certs alpn h2,http/1.1",
        ], binds);
    }

    [Fact]
    public void ConfigRenderer_should_add_strict_sni_to_the_tls_bind_when_strict_sni_is_set()
    {
        var frontend = new GatewayConfig { HttpsEnabled = true, StrictSni = true, IPv6BindAddr = "" };

        var binds = Binds(frontend);

        Assert.Equal(["bind 0.0.0.0:80", "bind 0.0.0.0:443 ssl crt /etc/haproxy/certs alpn h2,http/1.1 strict-sni"], binds);
    }

    [Fact]
    public void ConfigRenderer_should_limit_both_binds_to_http1_when_http2_is_disabled()
    {
        var frontend = new GatewayConfig { HttpsEnabled = true, EnableHttp2 = false, IPv6BindAddr = "" };

        var binds = Binds(frontend);

        Assert.Equal(["bind 0.0.0.0:80 proto h1", "bind 0.0.0.0:443 ssl crt /etc/haproxy/certs alpn http/1.1"], binds);
    }

    [Fact]
    public void ConfigRenderer_should_offer_the_configured_alpn_when_http2_is_enabled()
    {
        var frontend = new GatewayConfig { HttpsEnabled = true, Alpn = "http/1.1,h2", IPv6BindAddr = "" };

        var binds = Binds(frontend);

        Assert.Equal("bind 0.0.0.0:443 ssl crt /etc/haproxy/certs alpn http/1.1,h2", binds[1]);
    }

    [Fact]
    public void ConfigRenderer_should_name_the_frontend_after_the_config()
    {
        var frontend = new GatewayConfig { FrontendName = "edge" };

        var config = Render([Backend()], frontend: frontend).Config;

        Assert.Contains("\nfrontend edge\n", config);
        Assert.DoesNotContain("frontend http-gateway", config);
    }

    [Fact]
    public void ConfigRenderer_should_use_the_default_backend_when_it_exists()
    {
        var frontend = new GatewayConfig { DefaultBackend = "web" };

        var config = Render([Backend("api"), Backend("web")], frontend: frontend).Config;

        Assert.Equal("default_backend web", Line(config, "frontend http-gateway", "default_backend"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("missing")]
    public void ConfigRenderer_should_default_to_the_unrouted_backend_when_the_default_backend_does_not_exist(string defaultBackend)
    {
        var frontend = new GatewayConfig { DefaultBackend = defaultBackend };

        var config = Render([Backend("api")], frontend: frontend).Config;

        Assert.Equal($"default_backend {ConfigRenderer.UnroutedBackend}", Line(config, "frontend http-gateway", "default_backend"));
    }
}
