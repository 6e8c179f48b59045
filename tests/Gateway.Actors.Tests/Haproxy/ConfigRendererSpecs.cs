using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>
/// The rendered config is compared by hash to decide whether to reload, so it must depend on the
/// desired state only, never on the order it arrived in; and the global section carries what the
/// controller relies on (runtime socket, server-state file, bounded old workers).
/// </summary>
public class ConfigRendererSpecs
{
    private static readonly Backend[] Backends =
    [
        Backend("web", Server("w1", "10.0.2.1", 80)),
        Backend("api", Server("a1", "10.0.1.1", 8080), Server("a2", "10.0.1.2", 8080)),
        Backend("admin", Server("m1", "10.0.3.1", 9000)),
    ];

    private static readonly Route[] Routes =
    [
        Route("api.example.com", "/v1", "api"),
        Route("", "/admin", "admin"),
        Route("*.example.com", "", "web"),
        Route("", "", "web"),
    ];

    [Fact]
    public void ConfigRenderer_should_render_the_same_bytes_and_hash_when_the_input_comes_in_another_order()
    {
        var first = Render(Backends, Routes);

        var second = Render(Backends.Reverse(), Routes.Reverse());

        Assert.Equal(first.Config, second.Config);
        Assert.Equal(first.HostPathMap, second.HostPathMap);
        Assert.Equal(first.PathMap, second.PathMap);
        Assert.Equal(first.Hash, second.Hash);
    }

    [Fact]
    public void ConfigRenderer_should_order_backends_by_ordinal_name_with_the_unrouted_backend_last()
    {
        var backends = new[] { Backend("web"), Backend("api-v2"), Backend("Zeta"), Backend("api") };

        var config = Render(backends).Config;

        var positions = new[] { "Zeta", "api", "api-v2", "web", ConfigRenderer.UnroutedBackend }
            .Select(name => config.IndexOf($"\nbackend {name}\n", StringComparison.Ordinal))
            .ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void ConfigRenderer_should_keep_the_servers_in_their_given_order()
    {
        var backend = Backend("api", Server("s3", "10.0.0.3"), Server("s1", "10.0.0.1"), Server("s2", "10.0.0.2"));

        var config = Render(backend).Config;

        var servers = Section(config, "backend api").Where(l => l.StartsWith("server ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[1]);
        Assert.Equal(["s3", "s1", "s2"], servers);
    }

    [Fact]
    public void ConfigRenderer_should_change_the_hash_when_one_server_port_changes()
    {
        var before = Render(Backends, Routes);
        var moved = Backends.Select(b => b.Name != "api" ? b
            : b with { Servers = [b.Servers[0], b.Servers[1] with { Port = 8081 }] });

        var after = Render(moved, Routes);

        Assert.NotEqual(before.Hash, after.Hash);
        Assert.Contains("server a2 10.0.1.2:8081", after.Config);
    }

    [Fact]
    public void ConfigRenderer_should_change_the_hash_when_only_a_route_changes()
    {
        var before = Render(Backends, Routes);

        var after = Render(Backends, [.. Routes, Route("", "/v2", "api")]);

        Assert.Equal(before.Config, after.Config);
        Assert.NotEqual(before.Hash, after.Hash);
    }

    [Fact]
    public void ConfigRenderer_should_run_master_worker_with_an_admin_runtime_socket_and_a_server_state_file()
    {
        var options = new HaproxyOptions { HardStopAfter = TimeSpan.FromMinutes(2) };

        var config = Render(Backends, options: options).Config;

        var global = Section(config, "global");
        Assert.Contains("master-worker", global);
        Assert.Contains($"stats socket {Layout.RuntimeSocket} mode 600 level admin", global);
        Assert.Contains($"server-state-file {Layout.ServerStateFile}", global);
        Assert.Contains("hard-stop-after 2m", global);
        Assert.Contains("load-server-state-from-file global", Section(config, "defaults"));
    }

    [Fact]
    public void ConfigRenderer_should_render_the_timeouts_from_the_options()
    {
        var options = new HaproxyOptions
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(1500), ClientTimeout = TimeSpan.FromMinutes(1),
            ServerTimeout = TimeSpan.FromHours(1), CloseSpreadTime = TimeSpan.FromSeconds(3),
        };

        var config = Render(Backends, options: options).Config;

        var defaults = Section(config, "defaults");
        Assert.Contains("timeout connect 1500ms", defaults);
        Assert.Contains("timeout client 1m", defaults);
        Assert.Contains("timeout server 1h", defaults);
        Assert.Contains("close-spread-time 3s", Section(config, "global"));
    }

    [Fact]
    public void ConfigRenderer_should_look_routes_up_in_the_layout_map_files_exact_host_then_wildcard_then_path()
    {
        var config = Render(Backends, Routes).Config;

        var lookups = Section(config, "frontend http-gateway").SkipWhile(l => !l.StartsWith("http-request set-var", StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            "http-request set-var(txn.gw_path) path,concat(/)",
            $"http-request set-var(txn.gw_backend) req.hdr(host),lower,field(1,:),concat(,txn.gw_path,),map_beg({Layout.HostPathMap})",
            $"http-request set-var(txn.gw_backend) req.hdr(host),lower,field(1,:),regsub(^[^.]*,*),concat(,txn.gw_path,),map_beg({Layout.HostPathMap}) if !{{ var(txn.gw_backend) -m found }}",
            "use_backend %[var(txn.gw_backend)] if { var(txn.gw_backend) -m found }",
            $"use_backend %[var(txn.gw_path),map_beg({Layout.PathMap},{ConfigRenderer.UnroutedBackend})]",
            $"default_backend {ConfigRenderer.UnroutedBackend}",
        ], lookups);
    }

    [Fact]
    public void ConfigRenderer_should_look_nothing_up_without_routes()
    {
        var frontend = Section(Render(Backends).Config, "frontend http-gateway");

        Assert.DoesNotContain(frontend, l => l.Contains("map_beg", StringComparison.Ordinal) || l.Contains("set-var", StringComparison.Ordinal));
        Assert.Equal($"default_backend {ConfigRenderer.UnroutedBackend}", frontend[^1]);
    }

    [Fact]
    public void ConfigRenderer_should_look_up_only_the_path_with_one_fetch_when_no_route_names_a_host()
    {
        var config = Render(Backends, [Route("", "/admin", "admin"), Route("", "", "web")], new GatewayConfig { DefaultBackend = "api" }).Config;

        var frontend = Section(config, "frontend http-gateway");
        Assert.DoesNotContain(frontend, l => l.Contains("req.hdr(host)", StringComparison.Ordinal) || l.Contains("set-var", StringComparison.Ordinal));
        Assert.Equal([$"use_backend %[path,concat(/),map_beg({Layout.PathMap},api)]", "default_backend api"], frontend.TakeLast(2));
    }

    [Fact]
    public void ConfigRenderer_should_look_nothing_up_when_one_route_catches_every_request()
    {
        var frontend = Section(Render(Backends, [Route("", "/", "web")], new GatewayConfig { DefaultBackend = "api" }).Config, "frontend http-gateway");

        Assert.DoesNotContain(frontend, l => l.Contains("map_", StringComparison.Ordinal) || l.Contains("use_backend", StringComparison.Ordinal));
        Assert.Equal("default_backend web", frontend[^1]);
    }

    [Fact]
    public void ConfigRenderer_should_send_what_no_host_route_takes_to_the_catch_all_without_a_path_lookup()
    {
        var frontend = Section(Render(Backends, [Route("api.example.com", "", "api"), Route("", "", "web")]).Config, "frontend http-gateway");

        Assert.Equal(
        [
            $"use_backend %[req.hdr(host),lower,field(1,:),concat(/),map_str({Layout.HostPathMap},web)]",
            "default_backend web",
        ], frontend.TakeLast(2));
        Assert.DoesNotContain(frontend, l => l.Contains(Layout.PathMap, StringComparison.Ordinal) || l.Contains("set-var", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigRenderer_should_send_a_catch_all_to_503_while_its_backend_does_not_exist()
    {
        var frontend = Section(Render(Backends, [Route("", "", "missing")]).Config, "frontend http-gateway");

        Assert.Equal($"default_backend {RouteMaps.MissingBackend}", frontend[^1]);
    }

    [Fact]
    public void ConfigRenderer_should_look_up_exact_hosts_with_their_paths_without_the_wildcard_rewrite_or_the_path_map_when_the_routes_need_neither()
    {
        var config = Render(Backends, [Route("api.example.com", "/v1", "api"), Route("www.example.com", "", "web")]).Config;

        var frontend = Section(config, "frontend http-gateway");
        Assert.Equal(
        [
            "http-request set-var(txn.gw_path) path,concat(/)",
            $"use_backend %[req.hdr(host),lower,field(1,:),concat(,txn.gw_path,),map_beg({Layout.HostPathMap},{ConfigRenderer.UnroutedBackend})]",
        ], frontend.Where(l => l.Contains("gw_path", StringComparison.Ordinal)));
        Assert.DoesNotContain(frontend, l => l.Contains("regsub", StringComparison.Ordinal) || l.Contains(Layout.PathMap, StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigRenderer_should_look_up_wildcard_hosts_unconditionally_when_no_exact_host_route_exists()
    {
        var config = Render(Backends, [Route("*.example.com", "", "web")]).Config;

        var lookups = Section(config, "frontend http-gateway").Where(l => l.Contains("map_", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"use_backend %[req.hdr(host),lower,field(1,:),regsub(^[^.]*,*),concat(/),map_str({Layout.HostPathMap},{ConfigRenderer.UnroutedBackend})]"], lookups);
    }

    [Theory]
    [InlineData(true, "http-request set-header X-Forwarded-Proto https if { ssl_fc }|http-request set-header X-Forwarded-Proto http if !{ ssl_fc }")]
    [InlineData(false, "http-request set-header X-Forwarded-Proto http")]
    public void ConfigRenderer_should_test_the_client_connection_for_x_forwarded_proto_only_with_a_tls_bind(bool https, string expected)
    {
        var config = Render(Backends, Routes, new GatewayConfig { HttpsEnabled = https }).Config;

        Assert.Equal(expected.Split('|'), Section(config, "frontend http-gateway").Where(l => l.Contains("X-Forwarded-Proto", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ConfigRenderer_should_set_no_forwarding_header_when_they_are_off(bool https)
    {
        var config = Render(Backends, Routes, new GatewayConfig { HttpsEnabled = https, ForwardedHeaders = false }).Config;

        var frontend = Section(config, "frontend http-gateway");
        Assert.DoesNotContain(frontend, l => l.Contains("forwardfor", StringComparison.Ordinal) || l.Contains("X-Forwarded", StringComparison.Ordinal));
        Assert.Contains("option forwardfor", Section(Render(Backends, Routes, new GatewayConfig { HttpsEnabled = https }).Config, "frontend http-gateway"));
    }

    [Theory]
    [InlineData(HttpReuse.Never, "http-reuse never")]
    [InlineData(HttpReuse.Aggressive, "http-reuse aggressive")]
    [InlineData(HttpReuse.Always, "http-reuse always")]
    public void ConfigRenderer_should_set_the_connection_reuse_in_defaults_only_when_not_haproxys_own(HttpReuse reuse, string expected)
    {
        var config = Render(Backends, Routes, options: new HaproxyOptions { HttpReuse = reuse }).Config;

        Assert.Equal([expected], Section(config, "defaults").Where(l => l.StartsWith("http-reuse", StringComparison.Ordinal)));
        Assert.DoesNotContain("http-reuse", Render(Backends, Routes).Config, StringComparison.Ordinal);
    }

    [Fact]
    public void RouteLookup_should_name_what_the_routes_need()
    {
        Assert.Equal(new RouteLookup(Hosts: true, Wildcards: true, Paths: true, HostPaths: true), RouteLookup.Of(Routes));
        Assert.Equal(new RouteLookup(), RouteLookup.Of([]));
        Assert.Equal(new RouteLookup(Hosts: true, Wildcards: false, Paths: false, CatchAll: "web"),
            RouteLookup.Of([Route("api.example.com", "/", "api"), Route("", "/", "web")]));
        Assert.Equal("host + path, wildcard host + path, path", RouteLookup.Of(Routes).ToString());
        Assert.Equal("host, catch-all web", RouteLookup.Of([Route("API.example.com", "", "api"), Route("", "//", "web")]).ToString());
        Assert.Equal("none", new RouteLookup().ToString());
    }

    [Fact]
    public void ConfigRenderer_should_render_given_maps_under_the_given_lookup()
    {
        var maps = RouteMaps.Build([Route("api.example.com", "", "api")], new HashSet<string> { "api" });

        var rendered = ConfigRenderer.Render(new GatewayConfig(), new HaproxyOptions(), Layout, Backends, maps, new RouteLookup(Paths: true, Hosts: false, Wildcards: false));

        Assert.Equal("api.example.com/ api\n", rendered.HostPathMap);
        Assert.DoesNotContain("req.hdr(host)", rendered.Config.Split("\nbackend ")[0], StringComparison.Ordinal);
        Assert.Contains($"map_beg({Layout.PathMap},", rendered.Config, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigRenderer_should_answer_unrouted_requests_with_503()
    {
        var config = Render(Backends).Config;

        var unrouted = Section(config, $"backend {ConfigRenderer.UnroutedBackend}");
        Assert.Equal(["http-request return status 503 content-type text/plain string \"no route\""], unrouted);
    }

    [Fact]
    public void ConfigRenderer_should_answer_routes_to_a_missing_backend_with_503_saying_so()
    {
        var config = Render(Backends).Config;

        var missing = Section(config, $"backend {RouteMaps.MissingBackend}");
        Assert.Equal(["http-request return status 503 content-type text/plain string \"the backend of this route does not exist\""], missing);
    }

    [Fact]
    public void ConfigRenderer_should_render_the_route_maps_with_routes_to_missing_backends_on_the_503_backend()
    {
        var rendered = Render(Backends, [.. Routes, Route("", "/gone", "missing")]);

        Assert.Equal("api.example.com/v1/ api\n*.example.com/ web\n", rendered.HostPathMap);
        Assert.Equal($"/admin/ admin\n/gone/ {RouteMaps.MissingBackend}\n/ web\n", rendered.PathMap);
    }
}
