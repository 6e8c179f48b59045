using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>Each backend section: balance, health check, protocol towards the servers, and the server lines.</summary>
public class ConfigRendererBackendSpecs
{
    private static IReadOnlyList<string> SectionOf(Backend backend) => Section(Render(backend).Config, $"backend {backend.Name}");

    private static string ServerLine(Backend backend, string server = "s1") =>
        Assert.Single(SectionOf(backend), l => l.StartsWith($"server {server} ", StringComparison.Ordinal));

    [Theory]
    [InlineData(BalanceAlgorithm.RoundRobin, "roundrobin")]
    [InlineData(BalanceAlgorithm.LeastConn, "leastconn")]
    [InlineData(BalanceAlgorithm.First, "first")]
    [InlineData(BalanceAlgorithm.Random, "random")]
    [InlineData(BalanceAlgorithm.Source, "source")]
    public void ConfigRenderer_should_render_the_balance_keyword(BalanceAlgorithm balance, string keyword)
    {
        var backend = Backend() with { Balance = balance };

        var section = SectionOf(backend);

        Assert.Contains($"balance {keyword}", section);
    }

    [Fact]
    public void ConfigRenderer_should_render_consistent_hashing_when_balancing_by_source()
    {
        var backend = Backend() with { Balance = BalanceAlgorithm.Source };

        var section = SectionOf(backend);

        Assert.Contains("hash-type consistent", section);
    }

    [Theory]
    [InlineData(BalanceAlgorithm.RoundRobin)]
    [InlineData(BalanceAlgorithm.LeastConn)]
    [InlineData(BalanceAlgorithm.First)]
    [InlineData(BalanceAlgorithm.Random)]
    public void ConfigRenderer_should_not_render_a_hash_type_when_not_balancing_by_source(BalanceAlgorithm balance)
    {
        var backend = Backend() with { Balance = balance };

        var section = SectionOf(backend);

        Assert.DoesNotContain(section, l => l.StartsWith("hash-type", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigRenderer_should_refuse_an_unknown_balance_algorithm()
    {
        var unknown = (BalanceAlgorithm)99;

        var act = () => ConfigRenderer.BalanceKeyword(unknown);

        Assert.Throws<ArgumentOutOfRangeException>(act);
    }

    [Fact]
    public void ConfigRenderer_should_check_every_2s_by_tcp_when_the_health_check_is_left_default()
    {
        var backend = Backend("api", Server("s1", "10.0.0.1", 8080));

        var section = SectionOf(backend);

        Assert.Contains("server s1 10.0.0.1:8080 check inter 2s", section);
        Assert.DoesNotContain(section, l => l.StartsWith("option httpchk", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigRenderer_should_not_check_when_the_health_check_is_disabled()
    {
        var backend = Backend("api", Server("s1", "10.0.0.1", 8080)) with
        {
            HealthCheck = new HealthCheck { Enabled = false, Path = "/healthz" },
        };

        var section = SectionOf(backend);

        Assert.Contains("server s1 10.0.0.1:8080", section);
        Assert.DoesNotContain(section, l => l.Contains("check", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigRenderer_should_check_by_http_get_when_the_health_check_has_a_path()
    {
        var backend = Backend("api", Server("s1", "10.0.0.1", 8080)) with
        {
            HealthCheck = new HealthCheck { Path = "/healthz", Interval = TimeSpan.FromMilliseconds(500) },
        };

        var section = SectionOf(backend);

        Assert.Contains("option httpchk GET /healthz", section);
        Assert.Contains("server s1 10.0.0.1:8080 check inter 500ms", section);
    }

    [Fact]
    public void ConfigRenderer_should_speak_h2c_and_rewrite_the_scheme_when_the_protocol_is_h2c()
    {
        var backend = Backend() with { Protocol = ServerProtocol.H2c };

        var section = SectionOf(backend);

        Assert.Contains("server s1 10.0.0.1:8080 check inter 2s proto h2", section);
        Assert.Contains("http-request set-uri http://%[req.hdr(host)]%[pathq] if !{ url_beg http:// } { req.hdr(host) -m found }", section);
    }

    [Theory]
    [InlineData(HttpReuse.Safe, "http-reuse safe")]
    [InlineData(HttpReuse.Aggressive, "http-reuse aggressive")]
    public void ConfigRenderer_should_set_a_backends_own_connection_reuse_even_when_it_is_haproxys_default(HttpReuse reuse, string expected)
    {
        Assert.Equal([expected], SectionOf(Backend() with { HttpReuse = reuse }).Where(l => l.StartsWith("http-reuse", StringComparison.Ordinal)));
        Assert.DoesNotContain(SectionOf(Backend()), l => l.StartsWith("http-reuse", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigRenderer_should_keep_the_client_scheme_when_an_h2c_backend_asks_for_it()
    {
        var backend = Backend() with { Protocol = ServerProtocol.H2c, KeepClientScheme = true };

        var section = SectionOf(backend);

        Assert.Contains("server s1 10.0.0.1:8080 check inter 2s proto h2", section);
        Assert.DoesNotContain(section, l => l.StartsWith("http-request set-uri", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ServerProtocol.Http1)]
    [InlineData(ServerProtocol.H2)]
    public void ConfigRenderer_should_not_rewrite_the_scheme_when_the_protocol_is_not_h2c(ServerProtocol protocol)
    {
        var backend = Backend() with { Protocol = protocol };

        var section = SectionOf(backend);

        Assert.DoesNotContain(section, l => l.StartsWith("http-request set-uri", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigRenderer_should_verify_against_the_system_cas_when_the_protocol_is_h2()
    {
        var backend = Backend() with { Protocol = ServerProtocol.H2 };

        var line = ServerLine(backend);

        Assert.Equal("server s1 10.0.0.1:8080 check inter 2s ssl verify required ca-file @system-ca alpn h2,http/1.1", line);
    }

    [Fact]
    public void ConfigRenderer_should_send_and_check_the_sni_when_an_h2_backend_names_one()
    {
        var backend = Backend() with { Protocol = ServerProtocol.H2, Tls = new TlsSettings { Sni = "api.internal" } };

        var line = ServerLine(backend);

        Assert.Equal("server s1 10.0.0.1:8080 check inter 2s ssl verify required ca-file @system-ca"
                     + " sni str(api.internal) check-sni api.internal alpn h2,http/1.1", line);
    }

    [Fact]
    public void ConfigRenderer_should_not_verify_when_an_h2_backend_turns_verification_off()
    {
        var backend = Backend() with { Protocol = ServerProtocol.H2, Tls = new TlsSettings { Verify = false } };

        var line = ServerLine(backend);

        Assert.Equal("server s1 10.0.0.1:8080 check inter 2s ssl verify none alpn h2,http/1.1", line);
    }

    [Fact]
    public void ConfigRenderer_should_verify_against_the_ca_file_when_an_h2_backend_names_one()
    {
        var backend = Backend() with { Protocol = ServerProtocol.H2, Tls = new TlsSettings { CaFile = "/etc/gw/ca.pem" } };

        var line = ServerLine(backend);

        Assert.Equal("server s1 10.0.0.1:8080 check inter 2s ssl verify required ca-file /etc/gw/ca.pem alpn h2,http/1.1", line);
    }

    [Fact]
    public void ConfigRenderer_should_disable_a_server_in_maint()
    {
        var backend = Backend("api", Server("s1", state: ServerAdminState.Maint), Server("s2", state: ServerAdminState.Drain));

        var section = SectionOf(backend);

        Assert.Contains("server s1 10.0.0.1:8080 check inter 2s disabled", section);
        Assert.Contains("server s2 10.0.0.1:8080 check inter 2s", section);
    }

    [Fact]
    public void ConfigRenderer_should_bracket_an_ipv6_server_address()
    {
        var backend = Backend("api", Server("s1", "::1", 8080));

        var line = ServerLine(backend);

        Assert.Equal("server s1 [::1]:8080 check inter 2s", line);
    }

    [Fact]
    public void ConfigRenderer_should_render_a_weight_only_when_one_is_set()
    {
        var backend = Backend("api", Server("s1", weight: 5), Server("s2"), Server("s3", weight: 0));

        var section = SectionOf(backend);

        Assert.Contains("server s1 10.0.0.1:8080 check inter 2s weight 5", section);
        Assert.Contains("server s2 10.0.0.1:8080 check inter 2s", section);
        Assert.Contains("server s3 10.0.0.1:8080 check inter 2s weight 0", section);
    }

    [Fact]
    public void ConfigRenderer_should_render_a_backend_without_servers()
    {
        var backend = new Backend { Name = "empty" };

        var section = SectionOf(backend);

        Assert.Equal(["mode http", "balance roundrobin"], section);
    }
}
