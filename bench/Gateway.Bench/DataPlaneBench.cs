using System.Diagnostics;
using System.Text;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using Gateway.Testing;

namespace Gateway.Bench;

/// <summary>
/// The data plane (issue 8): HAProxy as Gateway renders it for a desired state against a minimal
/// hand-written config of the same backends and routes, the same HAProxy binary and the same
/// nghttpd h2c backend, with 1, 100 and 10,000 routes (see <see cref="Scenarios"/>); h2load (h2c)
/// and wrk (HTTP/1.1 keep-alive) interleaved over rounds after a warm-up, the proxy's own CPU time
/// read from /proc. The ablation adds each part of Gateway's config alone to the hand-written one,
/// to see what each costs.
/// </summary>
public static class DataPlaneBench
{
    /// <summary>h2c requests a sample: the proxy's CPU time is read in 10 ms ticks, and a sample of 60,000 was about 60 of them.</summary>
    private const int H2Requests = 150_000;
    private static readonly TimeSpan WrkDuration = TimeSpan.FromSeconds(3);

    public static async Task<IReadOnlyList<Table>> RunAsync(int rounds, IReadOnlySet<string> parts)
    {
        bool Want(string part) => parts.Count == 0 || parts.Contains(part);
        await LoadTools.EnsureInstalledAsync();
        using var dir = new TempDir("gwdp");
        using var nghttpd = await LoadTools.StartNghttpdAsync(Path.Combine(dir.Path, "www"), FreePort.Next());
        var tables = new List<Table>();
        if (Want("compare"))
            tables.AddRange(await CompareAsync(dir.Path, nghttpd.Port, rounds));
        if (Want("ablation"))
            tables.Add(await AblationAsync(dir.Path, nghttpd.Port, rounds));
        return tables;
    }

    /// <summary>
    /// One desired state: its backends (one h2c server each, on nghttpd), its routes, the Host the
    /// load asks for, and the same routing written by hand: a host map, and the rules an operator
    /// adds for a wildcard and a path.
    /// </summary>
    private sealed record Scenario(string Label, List<Backend> Backends, List<Route> RouteList, string? Host,
        IReadOnlyList<(string Host, string Backend)> HandHosts, string HandRules = "");

    /// <summary>
    /// One catch-all route; named hosts and a catch-all (an ingress's usual shape) with 100 and
    /// 10,000 routes; and 10,000 routes that need every lookup: hosts, a wildcard, a path and the catch-all.
    /// </summary>
    private static IReadOnlyList<Scenario> Scenarios(int ngPort)
    {
        Backend Make(int i) => new()
        {
            Name = $"be{i:D4}",
            Protocol = ServerProtocol.H2c,
            Servers = [new BackendServer { Name = "s1", IP = "127.0.0.1", Port = ngPort }],
        };
        var catchAll = new Route { Path = "/", Backend = "be0000" };
        var backends = Enumerable.Range(0, 100).Select(Make).ToList();
        Scenario Hosts(string label, int routes, IEnumerable<Route> more, string handRules)
        {
            var extra = more.ToList();
            var hosts = Enumerable.Range(0, routes - 1 - extra.Count).Select(i => ($"h{i}.bench.test", $"be{i % 100:D4}")).ToList();
            var list = hosts.Select(h => new Route { Host = h.Item1, Backend = h.Item2 }).Concat(extra).Append(catchAll).ToList();
            return new Scenario(label, backends, list, hosts[hosts.Count / 2].Item1, hosts, handRules);
        }
        return
        [
            new Scenario("1: catch-all", [Make(0)], [catchAll], null, []),
            Hosts("100: hosts, catch-all", 100, [], ""),
            Hosts("10000: hosts, catch-all", 10_000, [], ""),
            Hosts("10000: hosts, wildcard, path, catch-all", 10_000,
                [new Route { Host = "*.w.bench.test", Backend = "be0002" }, new Route { Path = "/static", Backend = "be0001" }],
                "    use_backend be0002 if { req.hdr(host),lower,field(1,:) -m end .w.bench.test }\n" +
                "    use_backend be0001 if { path /static } || { path_beg /static/ }\n"),
        ];
    }

    private static async Task<IReadOnlyList<Table>> CompareAsync(string root, int ngPort, int rounds)
    {
        var scenarios = Scenarios(ngPort);
        var proxies = new List<(Scenario Scenario, Proxy Hand, Proxy Gateway)>();
        try
        {
            foreach (var scenario in scenarios)
            {
                Console.WriteLine($"starting HAProxy twice for {scenario.Label}: hand-written and as Gateway renders it");
                var hand = await Proxy.StartHandAsync(Path.Combine(root, $"hand-{proxies.Count}"), $"hand, {scenario.Label}",
                    HandConfig.For(scenario.Backends.Select(b => b.Name).ToList(), ngPort, scenario.HandHosts, new HandConfig.Extras(Rules: scenario.HandRules)));
                proxies.Add((scenario, hand, await Proxy.StartGatewayAsync($"Gateway, {scenario.Label}", scenario.Backends, scenario.RouteList)));
            }
            var all = proxies.SelectMany(p => new[] { (p.Scenario, p.Hand), (p.Scenario, p.Gateway) }).ToList();
            foreach (var (scenario, proxy) in all)
                await proxy.WarmUpAsync(scenario.Host);
            for (var round = 1; round <= rounds; round++)
            {
                Console.WriteLine($"round {round}/{rounds}");
                foreach (var (scenario, hand, gateway) in proxies)
                    foreach (var proxy in round % 2 == 1 ? new[] { hand, gateway } : [gateway, hand])
                        await proxy.MeasureAsync(scenario.Host);
            }

            var compare = new Table(
                $"Data plane: h2c (h2load -c16 -m10, {H2Requests:N0} requests) and HTTP/1.1 keep-alive (wrk -t2 -c32, {WrkDuration.TotalSeconds:0} s), median of {rounds} interleaved rounds; per core = requests per second of the proxy's own CPU time",
                "routes", "measure", "hand-written", "Gateway", "Gateway / hand");
            foreach (var (scenario, hand, gateway) in proxies)
                foreach (var (measure, of) in Proxy.Measures)
                    compare.Add(scenario.Label, measure, of(hand), of(gateway), of(gateway) / of(hand));
            var scale = new Table("Gateway's HAProxy with N routes against 1 route (same run)", "routes", "h2c req/s", "× 1 route", "HTTP/1.1 req/s", "× 1 route");
            var one = proxies[0].Gateway;
            foreach (var (scenario, _, gateway) in proxies)
                scale.Add(scenario.Label, gateway.H2Rate, gateway.H2Rate / one.H2Rate, gateway.H1Rate, gateway.H1Rate / one.H1Rate);
            return [compare, scale];
        }
        finally
        {
            foreach (var (_, hand, gateway) in proxies)
            {
                await hand.DisposeAsync();
                await gateway.DisposeAsync();
            }
        }
    }

    private static async Task<Table> AblationAsync(string root, int ngPort, int rounds)
    {
        var variants = HandConfig.Ablation(Path.Combine(root, "ablation-maps"));
        var proxies = new List<Proxy>();
        try
        {
            foreach (var (name, extras) in variants)
                proxies.Add(await Proxy.StartHandAsync(Path.Combine(root, $"ablation-{proxies.Count}"), name,
                    HandConfig.For(["be0000"], ngPort, [], extras)));
            foreach (var proxy in proxies)
                await proxy.WarmUpAsync(null);
            for (var round = 1; round <= rounds; round++)
            {
                Console.WriteLine($"ablation round {round}/{rounds}");
                foreach (var proxy in round % 2 == 1 ? proxies : Enumerable.Reverse(proxies))
                    await proxy.MeasureAsync(null);
            }
            var baseline = proxies[0];
            var table = new Table($"What each part of Gateway's config costs: added alone to the hand-written config (1 backend), median of {rounds} interleaved rounds",
                "hand-written config +", "h2c req/s per core", "× hand", "HTTP/1.1 req/s per core", "× hand", "h2c req/s × hand", "HTTP/1.1 req/s × hand");
            foreach (var proxy in proxies)
                table.Add(proxy.Name, proxy.H2PerCore, proxy.H2PerCore / baseline.H2PerCore, proxy.H1PerCore, proxy.H1PerCore / baseline.H1PerCore,
                    proxy.H2Rate / baseline.H2Rate, proxy.H1Rate / baseline.H1Rate);
            return table;
        }
        finally
        {
            foreach (var proxy in proxies)
                await proxy.DisposeAsync();
        }
    }

    /// <summary>One HAProxy under load, with its samples.</summary>
    private sealed class Proxy : IAsyncDisposable
    {
        private readonly Func<int?> _pid;
        private readonly Func<ValueTask> _stop;
        private readonly List<double> _h2 = [], _h2PerCore = [], _h1 = [], _h1PerCore = [], _p99 = [];

        private Proxy(string name, int port, Func<int?> pid, Func<ValueTask> stop) => (Name, Port, _pid, _stop) = (name, port, pid, stop);

        public string Name { get; }
        public int Port { get; }
        public double H2Rate => Stats.Median(_h2);
        public double H2PerCore => Stats.Median(_h2PerCore);
        public double H1Rate => Stats.Median(_h1);
        public double H1PerCore => Stats.Median(_h1PerCore);
        public double P99 => Stats.Median(_p99);

        public static readonly (string Measure, Func<Proxy, double> Of)[] Measures =
        [
            ("h2c req/s", p => p.H2Rate),
            ("h2c req/s per core", p => p.H2PerCore),
            ("HTTP/1.1 req/s", p => p.H1Rate),
            ("HTTP/1.1 req/s per core", p => p.H1PerCore),
            ("HTTP/1.1 p99 ms", p => p.P99),
        ];

        public static async Task<Proxy> StartGatewayAsync(string name, List<Backend> backends, List<Route> routes)
        {
            var haproxy = await HaproxyUnderTest.StartAsync(backends, routes, fe => fe with { HttpsEnabled = false });
            return new Proxy(name, haproxy.Frontend.HttpPort, () => haproxy.Process.MasterPid, () => haproxy.DisposeAsync());
        }

        public static async Task<Proxy> StartHandAsync(string dir, string name, Func<int, string, string> config)
        {
            Directory.CreateDirectory(dir);
            var port = FreePort.Next();
            var path = Path.Combine(dir, "haproxy.cfg");
            await File.WriteAllTextAsync(path, config(port, dir));
            // Launched as Gateway launches its HAProxy (and as a service manager would): master-worker,
            // in a session of its own. The session matters on a shared machine: with the kernel's
            // autogroup scheduling a new session is a scheduling group of its own, which shares the
            // CPU with the load generators as a group (measured: an HAProxy left in the bench's session
            // served HTTP/1.1 1.1-1.2x faster with a third of the p99, only because of that).
            var process = Process.Start(new ProcessStartInfo("setsid", $"haproxy -W -f {path}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var proxy = new Proxy(name, port, () => process.Id, () =>
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                process.Dispose();
                return ValueTask.CompletedTask;
            });
            await Eventually.True(async () =>
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"HAProxy refused the hand-written config {path}");
                using var client = new System.Net.Sockets.TcpClient();
                try { await client.ConnectAsync("127.0.0.1", port); return true; }
                catch (System.Net.Sockets.SocketException) { return false; }
            }, TimeSpan.FromSeconds(10), $"HAProxy ({name}) listening");
            return proxy;
        }

        public async Task WarmUpAsync(string? host)
        {
            await LoadTools.H2loadAsync(Port, host, 5_000);
            await LoadTools.WrkAsync(Port, host, TimeSpan.FromSeconds(1));
        }

        public async Task MeasureAsync(string? host)
        {
            var pid = _pid() ?? throw new InvalidOperationException($"{Name}: HAProxy is not running");
            var before = LoadTools.CpuTicks(pid);
            var h2 = await LoadTools.H2loadAsync(Port, host, H2Requests);
            var middle = LoadTools.CpuTicks(pid);
            var h1 = await LoadTools.WrkAsync(Port, host, WrkDuration);
            var after = LoadTools.CpuTicks(pid);
            _h2.Add(h2.Rate);
            _h2PerCore.Add(h2.Requests / ((middle - before) / 100.0));
            _h1.Add(h1.Rate);
            _h1PerCore.Add(h1.Requests / ((after - middle) / 100.0));
            _p99.Add(h1.P99Ms);
        }

        public ValueTask DisposeAsync() => _stop();
    }

    /// <summary>The hand-written configs: what an operator would write for the same backends, and the ablation's additions to it.</summary>
    private static class HandConfig
    {
        /// <param name="Rules">Routing rules after the host map (which then answers only the hosts it has): a wildcard's, a path's.</param>
        public sealed record Extras(string Defaults = "", string Frontend = "", string Backend = "", string Server = "", string? Map = null, string Rules = "")
        {
            public static readonly Extras None = new();
        }

        /// <summary>A config for a free port and its directory: exact Host lookup in one map when there are host routes, the extra rules, then one default backend.</summary>
        public static Func<int, string, string> For(IReadOnlyList<string> backends, int ngPort, IReadOnlyList<(string Host, string Backend)> hosts, Extras extras) =>
            (port, dir) =>
            {
                var cfg = new StringBuilder();
                cfg.Append("global\n    stats socket ").Append(dir).Append("/haproxy.sock mode 600 level admin\n");
                cfg.Append("defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n").Append(extras.Defaults);
                cfg.Append("frontend fe\n    bind 127.0.0.1:").Append(port).Append('\n').Append(extras.Frontend);
                if (hosts.Count > 0)
                {
                    var map = Path.Combine(dir, "hosts.map");
                    File.WriteAllText(map, string.Concat(hosts.Select(h => $"{h.Host} {h.Backend}\n")));
                    var lookup = $"req.hdr(host),lower,field(1,:),map_str({map})";
                    // Alone, a host the map lacks goes to the default backend; before other rules it must not stop there.
                    cfg.Append("    use_backend %[").Append(lookup).Append(']')
                       .Append(extras.Rules.Length > 0 ? $" if {{ {lookup} -m found }}" : "").Append('\n');
                }
                cfg.Append(extras.Rules);
                cfg.Append("    default_backend ").Append(backends[0]).Append('\n');
                foreach (var backend in backends)
                    cfg.Append("backend ").Append(backend).Append('\n').Append(extras.Backend)
                       .Append("    server s1 127.0.0.1:").Append(ngPort).Append(" proto h2").Append(extras.Server).Append('\n');
                if (extras.Map is not null)
                    cfg.Append("backend _unrouted\n    http-request return status 503\n");
                return cfg.ToString();
            };

        /// <summary>Each part of what Gateway renders (and what it rendered before issue 8), alone.</summary>
        public static IReadOnlyList<(string Name, Extras Extras)> Ablation(string mapDir)
        {
            Directory.CreateDirectory(mapDir);
            var hostPath = Path.Combine(mapDir, "hostpath.map");
            var path = Path.Combine(mapDir, "path.map");
            File.WriteAllText(hostPath, "api.bench.test/ be0000\n*.w.bench.test/ be0000\n");
            var hosts = Path.Combine(mapDir, "hosts.map");
            File.WriteAllText(hosts, "api.bench.test/ be0000\n");
            File.WriteAllText(path, "/ be0000\n");
            const string SetUri = "    http-request set-uri http://%[req.hdr(host)]%[pathq]";
            return
            [
                ("nothing (the baseline)", Extras.None),
                ("option forwardfor", new Extras(Frontend: "    option forwardfor\n")),
                ("X-Forwarded-Proto, two rules testing ssl_fc (before)", new Extras(Frontend:
                    "    http-request set-header X-Forwarded-Proto https if { ssl_fc }\n    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }\n")),
                ("X-Forwarded-Proto http (now, without a TLS bind)", new Extras(Frontend: "    http-request set-header X-Forwarded-Proto http\n")),
                ("route lookup as before: host, wildcard, path (5 set-var, 2 regsub)", new Extras(Map: mapDir, Frontend:
                    "    http-request set-var(txn.gw_host) req.hdr(host),lower,regsub(:[0-9]+$,)\n" +
                    "    http-request set-var(txn.gw_path) path,concat(/)\n" +
                    $"    http-request set-var(txn.gw_backend) var(txn.gw_host),concat(,txn.gw_path,),map_beg({hostPath})\n" +
                    $"    http-request set-var(txn.gw_backend) var(txn.gw_host),regsub(^[^.]*,*),concat(,txn.gw_path,),map_beg({hostPath}) if !{{ var(txn.gw_backend) -m found }}\n" +
                    $"    http-request set-var(txn.gw_backend) var(txn.gw_path),map_beg({path}) if !{{ var(txn.gw_backend) -m found }}\n" +
                    "    use_backend %[var(txn.gw_backend)] if { var(txn.gw_backend) -m found }\n")),
                ("route lookup now: host, wildcard, path, when a host route names a path", new Extras(Map: mapDir, Frontend:
                    "    http-request set-var(txn.gw_path) path,concat(/)\n" +
                    $"    http-request set-var(txn.gw_backend) req.hdr(host),lower,field(1,:),concat(,txn.gw_path,),map_beg({hostPath})\n" +
                    $"    http-request set-var(txn.gw_backend) req.hdr(host),lower,field(1,:),regsub(^[^.]*,*),concat(,txn.gw_path,),map_beg({hostPath}) if !{{ var(txn.gw_backend) -m found }}\n" +
                    "    use_backend %[var(txn.gw_backend)] if { var(txn.gw_backend) -m found }\n" +
                    $"    use_backend %[var(txn.gw_path),map_beg({path},_unrouted)]\n")),
                ("route lookup now: host, wildcard, path, when no host route names a path", new Extras(Map: mapDir, Frontend:
                    $"    http-request set-var(txn.gw_backend) req.hdr(host),lower,field(1,:),concat(/),map_str({hostPath})\n" +
                    $"    http-request set-var(txn.gw_backend) req.hdr(host),lower,field(1,:),regsub(^[^.]*,*),concat(/),map_str({hostPath}) if !{{ var(txn.gw_backend) -m found }}\n" +
                    "    use_backend %[var(txn.gw_backend)] if { var(txn.gw_backend) -m found }\n" +
                    $"    use_backend %[path,concat(/),map_beg({path},_unrouted)]\n")),
                ("route lookup now: hosts and a catch-all (one exact lookup answering the catch-all)", new Extras(Map: mapDir, Frontend:
                    $"    use_backend %[req.hdr(host),lower,field(1,:),concat(/),map_str({hosts},be0000)]\n")),
                ("route lookup now: paths only (one fetch)", new Extras(Map: mapDir, Frontend: $"    use_backend %[path,concat(/),map_beg({path},_unrouted)]\n")),
                ("h2c scheme rewrite on every request (before)", new Extras(Backend: SetUri + " if { req.hdr(host) -m found }\n")),
                ("h2c scheme rewrite unless the request says http (now)", new Extras(Backend: SetUri + " if !{ url_beg http:// } { req.hdr(host) -m found }\n")),
                ("check inter 2s", new Extras(Server: " check inter 2s")),
                ("all that Gateway adds per request for one catch-all route: forwardfor, X-Forwarded-Proto, h2c rewrite unless http (no lookup: the catch-all is the default backend)",
                    new Extras(
                        Frontend: "    option forwardfor\n    http-request set-header X-Forwarded-Proto http\n",
                        Backend: SetUri + " if !{ url_beg http:// } { req.hdr(host) -m found }\n")),
                ("Gateway's defaults (keep-alive, idle-close-on-response, redispatch, retries 3, timeouts)", new Extras(Defaults:
                    "    option http-keep-alive\n    option idle-close-on-response\n    option redispatch\n    retries 3\n" +
                    "    timeout http-request 10s\n    timeout http-keep-alive 10s\n    timeout queue 30s\n")),
            ];
        }
    }
}
