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
    public void ConfigRenderer_should_look_routes_up_in_the_layout_map_files()
    {
        var config = Render(Backends).Config;

        var frontend = Section(config, "frontend http-gateway");
        Assert.Equal(2, frontend.Count(l => l.Contains($"map_beg({Layout.HostPathMap})", StringComparison.Ordinal)));
        Assert.Single(frontend, l => l.Contains($"map_beg({Layout.PathMap})", StringComparison.Ordinal));
        Assert.Contains("use_backend %[var(txn.gw_backend)] if { var(txn.gw_backend) -m found }", frontend);
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
