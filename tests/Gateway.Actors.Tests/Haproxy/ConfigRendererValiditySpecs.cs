using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using Gateway.Shared.Validation;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>
/// Whatever valid input the renderer gets, HAProxy 2.6 must accept the result: a config it refuses
/// means no reload at all. Each case is written to a fresh directory the way the controller writes
/// it (config, maps, certificates) and checked with the real <c>haproxy -c</c>.
/// </summary>
public class ConfigRendererValiditySpecs
{
    /// <summary>One input to render: the frontend settings, backends and routes, built inside its scratch directory (for certificate and CA paths).</summary>
    private sealed record Case(GatewayConfig Frontend, IReadOnlyList<Backend> Backends, IReadOnlyList<Route> Routes, HaproxyOptions? Options = null);

    private static readonly Dictionary<string, Func<ScratchHaproxyDir, Case>> Cases = new()
    {
        ["defaults"] = _ => new(new(), [Backend()], []),
        ["balance-roundrobin"] = _ => OneBackend(b => b with { Balance = BalanceAlgorithm.RoundRobin }),
        ["balance-leastconn"] = _ => OneBackend(b => b with { Balance = BalanceAlgorithm.LeastConn }),
        ["balance-first"] = _ => OneBackend(b => b with { Balance = BalanceAlgorithm.First }),
        ["balance-random"] = _ => OneBackend(b => b with { Balance = BalanceAlgorithm.Random }),
        ["balance-source"] = _ => OneBackend(b => b with { Balance = BalanceAlgorithm.Source }),
        ["protocol-http1"] = _ => OneBackend(b => b with { Protocol = ServerProtocol.Http1 }),
        ["protocol-h2c"] = _ => OneBackend(b => b with { Protocol = ServerProtocol.H2c }),
        ["protocol-h2c-keep-client-scheme"] = _ => OneBackend(b => b with { Protocol = ServerProtocol.H2c, KeepClientScheme = true }),
        ["backend-http-reuse-aggressive"] = _ => OneBackend(b => b with { Protocol = ServerProtocol.H2c, HttpReuse = HttpReuse.Aggressive }),
        ["backend-http-reuse-safe-under-aggressive-default"] = _ => new(new(), [Backend() with { HttpReuse = HttpReuse.Safe }], [],
            new HaproxyOptions { HttpReuse = HttpReuse.Aggressive }),
        ["protocol-h2-system-ca"] = _ => OneBackend(b => b with { Protocol = ServerProtocol.H2 }),
        ["protocol-h2-sni"] = _ => OneBackend(b => b with { Protocol = ServerProtocol.H2, Tls = new() { Sni = "api.internal" } }),
        ["protocol-h2-sni-without-check"] = _ => OneBackend(b => b with
        {
            Protocol = ServerProtocol.H2, Tls = new() { Sni = "api.internal" }, HealthCheck = new() { Enabled = false },
        }),
        ["protocol-h2-verify-none"] = _ => OneBackend(b => b with { Protocol = ServerProtocol.H2, Tls = new() { Verify = false, Sni = "x.test" } }),
        ["protocol-h2-ca-file"] = dir => OneBackend(b => b with
        {
            Protocol = ServerProtocol.H2, Tls = new() { CaFile = dir.WriteCaPem(), Sni = "localhost" },
            HealthCheck = new() { Path = "/healthz" },
        }),
        ["check-off"] = _ => OneBackend(b => b with { HealthCheck = new() { Enabled = false } }),
        ["check-path"] = _ => OneBackend(b => b with { HealthCheck = new() { Path = "/healthz", Interval = TimeSpan.FromMilliseconds(500) } }),
        ["check-path-with-every-allowed-character"] = _ => OneBackend(b => b with
        {
            HealthCheck = new() { Path = "/h-c_k.~!$&()*+,=:@%20/?q=1&r=$x", Interval = TimeSpan.FromHours(1) },
        }),
        ["check-path-on-h2c"] = _ => OneBackend(b => b with { Protocol = ServerProtocol.H2c, HealthCheck = new() { Path = "/grpc.health.v1.Health/Check" } }),
        ["servers-in-every-state-and-weight"] = _ => new(new(),
        [
            Backend("api",
                Server("ready", weight: 256), Server("drain", "10.0.0.2", 8081, state: ServerAdminState.Drain),
                Server("maint", "10.0.0.3", 8082, weight: 0, state: ServerAdminState.Maint), Server("plain", "10.0.0.4", 1)),
        ], []),
        ["all-servers-in-maint"] = _ => new(new(), [Backend("api", Server("s1", state: ServerAdminState.Maint))], []),
        ["ipv6-servers"] = _ => new(new(),
        [
            Backend("api", Server("v6", "::1", 8080), Server("v6-long", "2001:db8::1:0:0:1", 65535), Server("v4", "192.168.0.1", 80),
                Server("mapped", "::ffff:10.0.0.1", 8080)),
        ], []),
        ["routes-of-every-kind"] = _ => new(new(),
        [Backend("api"), Backend("web"), Backend("admin"), Backend("fallback")],
        [
            Route("api.example.com", "", "api"),
            Route("API.Example.COM", "/v1/", "api"),
            Route("*.example.com", "", "web"),
            Route("*.example.com", "/static", "web"),
            Route("", "/admin", "admin"),
            Route("", "/admin/deep/er/", "admin"),
            Route("", "/a-b_c.d~e/%20x/(y)", "web"),
            Route("localhost", "/", "web"),
            Route("", "", "fallback"),
            Route("gone.example.com", "/x", "missing"),
        ]),
        ["https"] = dir => new(Https(dir), [Backend()], [Route("", "/api", "api")]),
        ["https-strict-sni"] = dir => new(Https(dir) with { StrictSni = true }, [Backend()], []),
        ["https-without-http2"] = dir => new(Https(dir) with { EnableHttp2 = false }, [Backend()], []),
        ["https-alpn-http1-first"] = dir => new(Https(dir) with { Alpn = "http/1.1,h2" }, [Backend()], []),
        ["https-alpn-h2-only"] = dir => new(Https(dir) with { Alpn = "h2" }, [Backend()], []),
        ["https-alpn-with-http1.0"] = dir => new(Https(dir) with { Alpn = "h2,http/1.1,http/1.0" }, [Backend()], []),
        ["https-single-pem-file"] = dir => new(Https(dir) with { SslCertDir = dir.WriteServerPem() }, [Backend()], []),
        ["https-ipv4-only"] = dir => new(Https(dir) with { IPv6BindAddr = "" }, [Backend()], []),
        ["https-ipv6-only"] = dir => new(Https(dir) with { IPv4BindAddr = "" }, [Backend()], []),
        ["http2-off"] = _ => new(new() { EnableHttp2 = false }, [Backend()], []),
        ["forwarded-headers-off"] = dir => new(Https(dir) with { ForwardedHeaders = false }, [Backend()], []),
        ["http-reuse-never"] = _ => new(new(), [Backend()], [], new HaproxyOptions { HttpReuse = HttpReuse.Never }),
        ["http-reuse-aggressive"] = _ => new(new(), [Backend()], [], new HaproxyOptions { HttpReuse = HttpReuse.Aggressive }),
        ["http-reuse-always"] = _ => new(new(), [Backend()], [], new HaproxyOptions { HttpReuse = HttpReuse.Always }),
        ["bind-ipv4-only"] = _ => new(new() { IPv6BindAddr = "" }, [Backend()], []),
        ["bind-ipv6-only"] = _ => new(new() { IPv4BindAddr = "" }, [Backend()], []),
        ["bind-specific-addresses"] = _ => new(new() { IPv4BindAddr = "127.0.0.1", IPv6BindAddr = "::1", HttpPort = 65535 }, [Backend()], []),
        ["default-backend-present"] = _ => new(new() { DefaultBackend = "web" }, [Backend("api"), Backend("web")], []),
        ["default-backend-absent"] = _ => new(new() { DefaultBackend = "web" }, [Backend("api")], []),
        ["backend-named-like-the-frontend"] = _ => new(new() { FrontendName = "edge", DefaultBackend = "edge" }, [Backend("edge")], [Route("", "/e", "edge")]),
        ["backend-without-servers"] = _ => new(new(), [new Backend { Name = "empty" }], [Route("", "", "empty")]),
        ["dangling-routes"] = _ => new(new() { DefaultBackend = "web" }, [Backend("web")],
        [
            Route("", "", "web"), Route("", "/my-api", "my-api"), Route("gone.example.com", "", "gone"), Route("*.example.com", "/x", "gone"),
        ]),
        ["zero-backends"] = _ => new(new() { DefaultBackend = "api" }, [], [Route("", "", "api"), Route("a.example.com", "/x", "api")]),
        ["two-hundred-backends"] = dir => new(Https(dir) with { DefaultBackend = "backend-000" }, Many(200), ManyRoutes(200)),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task ConfigRenderer_should_render_a_config_haproxy_accepts(string name)
    {
        using var dir = new ScratchHaproxyDir();
        var input = Cases[name](dir);
        AssertValid(input);

        var rendered = ConfigRenderer.Render(input.Frontend, input.Options ?? new HaproxyOptions(), dir.Layout, input.Backends, input.Routes);
        var errors = await dir.CheckAsync(rendered);

        Assert.True(errors.Count == 0, $"haproxy -c refused case [{name}]:\n{string.Join('\n', errors)}\n\n{rendered.Config}");
        AssertMapsNameOnlyRenderedBackends(rendered);
    }

    /// <summary><c>haproxy -c</c> does not read map values: a value naming no backend section would fail only per request.</summary>
    private static void AssertMapsNameOnlyRenderedBackends(RenderedConfig rendered)
    {
        var sections = rendered.Config.Split('\n').Where(l => l.StartsWith("backend ", StringComparison.Ordinal)).Select(l => l["backend ".Length..]).ToHashSet();
        var named = (rendered.HostPathMap + rendered.PathMap).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1]);
        Assert.All(named, backend => Assert.Contains(backend, sections));
    }

    [Fact]
    public async Task ConfigRenderer_should_render_a_config_haproxy_accepts_when_every_option_is_combined()
    {
        using var dir = new ScratchHaproxyDir();
        var ca = dir.WriteCaPem();
        var variants =
            from balance in Enum.GetValues<BalanceAlgorithm>()
            from protocol in Enum.GetValues<ServerProtocol>()
            from check in new HealthCheck?[] { null, new() { Enabled = false }, new() { Path = "/health" } }
            select (balance, protocol, check);
        var backends = variants.Select((v, i) => new Backend
        {
            Name = $"b{i:000}-{v.balance}-{v.protocol}".ToLowerInvariant(),
            Balance = v.balance,
            Protocol = v.protocol,
            HealthCheck = v.check,
            Tls = v.protocol == ServerProtocol.H2 ? new TlsSettings { Sni = "svc.internal", CaFile = i % 2 == 0 ? ca : null } : null,
            KeepClientScheme = i % 2 == 0,
            Servers = [Server("a", "10.1.0.1", 8000 + i, weight: i % 7), Server("b", "fd00::1", 9000 + i, state: (ServerAdminState)(i % 3))],
        }).ToList();
        var input = new Case(Https(dir) with { StrictSni = true, DefaultBackend = backends[0].Name }, backends,
            backends.Select((b, i) => Route(i % 2 == 0 ? $"h{i}.example.com" : "", $"/p{i}", b.Name)).ToList());
        AssertValid(input);

        var rendered = ConfigRenderer.Render(input.Frontend, input.Options ?? new HaproxyOptions(), dir.Layout, input.Backends, input.Routes);
        var errors = await dir.CheckAsync(rendered);

        Assert.True(errors.Count == 0, $"haproxy -c refused:\n{string.Join('\n', errors)}\n\n{rendered.Config}");
    }

    /// <summary>Only inputs that pass Gateway's own validation are rendered; this keeps the matrix honest.</summary>
    private static void AssertValid(Case input)
    {
        Assert.Empty(input.Frontend.Validate());
        Assert.Empty(BackendValidator.Validate(new BackendList { Backends = input.Backends }));
        Assert.All(input.Routes, r => Assert.Empty(RouteValidator.Validate(r)));
    }

    private static Case OneBackend(Func<Backend, Backend> shape) =>
        new(new(), [shape(Backend("api", Server("s1"), Server("s2", "10.0.0.2", 8081, weight: 3)))], [Route("", "/api", "api")]);

    private static GatewayConfig Https(ScratchHaproxyDir dir)
    {
        dir.WriteServerPem();
        return new GatewayConfig { HttpsEnabled = true, SslCertDir = dir.CertDir, HttpPort = 8080, HttpsPort = 8443 };
    }

    private static List<Backend> Many(int count) =>
        Enumerable.Range(0, count).Select(i => new Backend
        {
            Name = $"backend-{i:000}",
            Balance = (BalanceAlgorithm)(i % 5),
            Protocol = i % 3 == 2 ? ServerProtocol.H2c : ServerProtocol.Http1,
            Servers = Enumerable.Range(0, 3).Select(s => Server($"s{s}", $"10.{i / 250}.{i % 250}.{s + 1}", 8080 + s)).ToList(),
        }).ToList();

    private static List<Route> ManyRoutes(int count) =>
        Enumerable.Range(0, count).Select(i => Route(i % 3 == 0 ? "" : $"svc{i}.example.com", i % 2 == 0 ? $"/svc{i}" : "", $"backend-{i:000}")).ToList();
}
