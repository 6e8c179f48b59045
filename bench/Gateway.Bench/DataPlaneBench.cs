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
/// and wrk (HTTP/1.1 keep-alive) interleaved over rounds, a fresh HAProxy of each side each round,
/// warmed up, the proxy's own CPU time read from /proc; then both sides under load at once. The
/// ablation adds each part of Gateway's config alone to the hand-written one, to see what each costs.
/// </summary>
public static class DataPlaneBench
{
    /// <summary>h2c requests a sample: 150,000, about 2 s of load here (a sample of 60,000 moved more from round to round).</summary>
    private const int H2Requests = 150_000;
    private static readonly TimeSpan WrkDuration = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan AtOnceDuration = TimeSpan.FromSeconds(3);

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
    /// <param name="ForwardedHeaders">Whether Gateway sets X-Forwarded-For and X-Forwarded-Proto (the hand-written side never does).</param>
    /// <param name="Reuse">Gateway's <c>http-reuse</c> (the hand-written side keeps HAProxy's default, safe).</param>
    private sealed record Scenario(string Label, List<Backend> Backends, List<Route> RouteList, string? Host,
        IReadOnlyList<(string Host, string Backend)> HandHosts, string HandRules = "", bool ForwardedHeaders = true, HttpReuse Reuse = HttpReuse.Safe);

    /// <summary>
    /// One catch-all route, also with Gateway's forwarding headers off (the hand-written side sets
    /// none) and with <c>http-reuse aggressive</c> (the hand-written side keeps safe); named hosts
    /// and a catch-all (an ingress's usual shape) with 100 and 10,000 routes; and 10,000 routes that
    /// need every lookup: hosts, a wildcard, a path and the catch-all.
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
            new Scenario("1: catch-all, Gateway's forwarding headers off", [Make(0)], [catchAll], null, [], ForwardedHeaders: false),
            new Scenario("1: catch-all, Gateway's http-reuse aggressive", [Make(0)], [catchAll], null, [], Reuse: HttpReuse.Aggressive),
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
        var pairs = Scenarios(ngPort).Select((scenario, i) => (Scenario: scenario,
            Hand: new Side($"hand, {scenario.Label}", () => Proxy.StartHandAsync(Path.Combine(root, $"hand-{i}"),
                HandConfig.For(scenario.Backends.Select(b => b.Name).ToList(), ngPort, scenario.HandHosts, new HandConfig.Extras(Rules: scenario.HandRules)))),
            Gateway: new Side($"Gateway, {scenario.Label}", () => Proxy.StartGatewayAsync(scenario)))).ToList();
        for (var round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"round {round}/{rounds}");
            foreach (var (scenario, hand, gateway) in pairs)
                await (round % 2 == 1 ? RoundAsync(hand, gateway, scenario.Host) : RoundAsync(gateway, hand, scenario.Host));
        }

        var compare = new Table(
            $"Data plane: h2c (h2load -c16 -m10, {H2Requests:N0} requests) and HTTP/1.1 keep-alive (wrk -t2 -c32, {WrkDuration.TotalSeconds:0} s), median of {rounds} interleaved rounds, each round a fresh HAProxy of each side; per core = requests per second of the proxy's own CPU time; both at once = the two under load together, each with half the clients (h2load -c8 -m10 for {AtOnceDuration.TotalSeconds:0} s, wrk -t1 -c16 for {WrkDuration.TotalSeconds:0} s)",
            "routes", "measure", "hand-written", "Gateway", "Gateway / hand", "median of the rounds' Gateway / hand", "each round's Gateway / hand");
        foreach (var (scenario, hand, gateway) in pairs)
            foreach (var (measure, of) in Sample.Measures)
                compare.Add(scenario.Label, measure, hand.Median(of), gateway.Median(of), gateway.Median(of) / hand.Median(of),
                    Stats.Median(gateway.Ratios(hand, of)), Each(gateway.Ratios(hand, of)));
        var scale = new Table("Gateway's HAProxy with N routes against 1 route (same run)", "routes", "h2c req/s", "× 1 route", "HTTP/1.1 req/s", "× 1 route");
        var one = pairs[0].Gateway;
        foreach (var (scenario, _, gateway) in pairs.Where(p => p.Scenario is { ForwardedHeaders: true, Reuse: HttpReuse.Safe }))
            scale.Add(scenario.Label, gateway.Median(s => s.H2Rate), gateway.Median(s => s.H2Rate) / one.Median(s => s.H2Rate),
                gateway.Median(s => s.H1Rate), gateway.Median(s => s.H1Rate) / one.Median(s => s.H1Rate));
        return [compare, scale];
    }

    /// <summary>
    /// Each part of Gateway's config added alone to the hand-written one, and measured at once
    /// beside it (see <see cref="AtOnceAsync"/>): the first variant adds nothing, so its ratios are the
    /// measure's own spread.
    /// </summary>
    private static async Task<Table> AblationAsync(string root, int ngPort, int rounds)
    {
        Side Hand(string dir, string name, HandConfig.Extras extras) =>
            new(name, () => Proxy.StartHandAsync(Path.Combine(root, dir), HandConfig.For(["be0000"], ngPort, [], extras)));
        var only = Environment.GetEnvironmentVariable("GATEWAY_BENCH_ABLATION") is { Length: > 0 } keys ? keys.Split(',').ToHashSet() : null;
        var pairs = HandConfig.Ablation(Path.Combine(root, "ablation-maps"))
            .Where(variant => only is null || variant.Key == "nothing" || only.Contains(variant.Key))
            .Select((variant, i) => (Hand: Hand($"ablation-{i}-hand", "hand-written", HandConfig.Extras.None), Variant: Hand($"ablation-{i}", variant.Name, variant.Extras)))
            .ToList();
        for (var round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"ablation round {round}/{rounds}");
            foreach (var (hand, variant) in pairs)
                await (round % 2 == 1 ? RoundAsync(hand, variant, null, alone: false) : RoundAsync(variant, hand, null, alone: false));
        }
        var table = new Table($"What each part of Gateway's config costs: added alone to the hand-written config (1 backend), measured at once beside it (each with half the clients), {rounds} rounds, a fresh pair of HAProxies each",
            "hand-written config +", "h2c req/s per core × hand, median of the rounds", "each round", "HTTP/1.1 req/s per core × hand, median of the rounds", "each round");
        foreach (var (hand, variant) in pairs)
        {
            var (h2, h1) = (variant.Ratios(hand, s => s.H2PerCoreAtOnce), variant.Ratios(hand, s => s.H1PerCoreAtOnce));
            table.Add(variant.Name, Stats.Median(h2), Each(h2), Stats.Median(h1), Each(h1));
        }
        return table;
    }

    private static string Each(IEnumerable<double> ratios) =>
        string.Join(" ", ratios.Select(r => r.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// One round of a pair: a fresh HAProxy for each side, both started and warmed up, measured one
    /// after the other (in the order given; callers alternate it) and then at once. A process per
    /// round, not per run: one HAProxy's placement (its threads' CPUs, its memory) stays with it for
    /// its life, and with one process per run the same pair of configs moved ±20% from run to run
    /// while its rounds agreed.
    /// </summary>
    /// <param name="alone">Whether each is measured alone, one after the other, before the two at once.</param>
    private static async Task RoundAsync(Side first, Side second, string? host, bool alone = true)
    {
        await using var a = await first.StartAsync();
        await using var b = await second.StartAsync();
        await a.WarmUpAsync(host);
        await b.WarmUpAsync(host);
        var (sampleA, sampleB) = alone ? (await a.MeasureAsync(host), await b.MeasureAsync(host)) : (Sample.None, Sample.None);
        var (atOnceA, atOnceB) = await AtOnceAsync(a, b, host);
        first.Samples.Add(sampleA with { H2PerCoreAtOnce = atOnceA.H2, H1PerCoreAtOnce = atOnceA.H1 });
        second.Samples.Add(sampleB with { H2PerCoreAtOnce = atOnceB.H2, H1PerCoreAtOnce = atOnceB.H1 });
    }

    /// <summary>
    /// Two HAProxies under the same load at once, over the same seconds (h2load for <see cref="AtOnceDuration"/>,
    /// then wrk), each load half what one alone gets: requests per second of each one's own CPU time.
    /// Measured one after the other, a few seconds apart, the same pair's ratio moved ±20-30% from round
    /// to round on this machine; at once, whatever slows the machine slows both.
    /// </summary>
    private static async Task<((double H2, double H1) First, (double H2, double H1) Second)> AtOnceAsync(Proxy first, Proxy second, string? host)
    {
        var before = (first.CpuSeconds(), second.CpuSeconds());
        var h2 = await Task.WhenAll(LoadTools.H2loadForAsync(first.Port, host, AtOnceDuration, clients: 8),
            LoadTools.H2loadForAsync(second.Port, host, AtOnceDuration, clients: 8));
        var middle = (first.CpuSeconds(), second.CpuSeconds());
        var h1 = await Task.WhenAll(LoadTools.WrkAsync(first.Port, host, WrkDuration, threads: 1, connections: 16),
            LoadTools.WrkAsync(second.Port, host, WrkDuration, threads: 1, connections: 16));
        var after = (first.CpuSeconds(), second.CpuSeconds());
        return ((h2[0].Requests / (middle.Item1 - before.Item1), h1[0].Requests / (after.Item1 - middle.Item1)),
            (h2[1].Requests / (middle.Item2 - before.Item2), h1[1].Requests / (after.Item2 - middle.Item2)));
    }

    /// <summary>One round's figures for one HAProxy: alone (NaN where not measured so), and at once with the other of its pair (see <see cref="AtOnceAsync"/>).</summary>
    private sealed record Sample(double H2Rate, double H2PerCore, double H1Rate, double H1PerCore, double P99,
        double H2PerCoreAtOnce = double.NaN, double H1PerCoreAtOnce = double.NaN)
    {
        public static readonly Sample None = new(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

        public static readonly (string Measure, Func<Sample, double> Of)[] Measures =
        [
            ("h2c req/s", s => s.H2Rate),
            ("h2c req/s per core", s => s.H2PerCore),
            ("HTTP/1.1 req/s", s => s.H1Rate),
            ("HTTP/1.1 req/s per core", s => s.H1PerCore),
            ("HTTP/1.1 p99 ms", s => s.P99),
            ("h2c req/s per core, both at once", s => s.H2PerCoreAtOnce),
            ("HTTP/1.1 req/s per core, both at once", s => s.H1PerCoreAtOnce),
        ];
    }

    /// <summary>One side of a comparison: how to start its HAProxy, and its samples, a round each.</summary>
    private sealed class Side(string name, Func<Task<Proxy>> start)
    {
        public string Name => name;
        public List<Sample> Samples { get; } = [];
        public Task<Proxy> StartAsync() => start();
        public double Median(Func<Sample, double> of) => Stats.Median(Samples.Select(of));

        /// <summary>This side's figure over <paramref name="other"/>'s, round by round.</summary>
        public IReadOnlyList<double> Ratios(Side other, Func<Sample, double> of) => Samples.Zip(other.Samples, (a, b) => of(a) / of(b)).ToList();
    }

    /// <summary>One running HAProxy.</summary>
    private sealed class Proxy : IAsyncDisposable
    {
        private readonly Func<int?> _pid;
        private readonly Func<ValueTask> _stop;

        private Proxy(int port, Func<int?> pid, Func<ValueTask> stop) => (Port, _pid, _stop) = (port, pid, stop);

        public int Port { get; }

        public static async Task<Proxy> StartGatewayAsync(Scenario scenario)
        {
            var haproxy = await HaproxyUnderTest.StartAsync(scenario.Backends, scenario.RouteList,
                fe => fe with { HttpsEnabled = false, ForwardedHeaders = scenario.ForwardedHeaders },
                new HaproxyOptions { HardStopAfter = TimeSpan.FromSeconds(10), HttpReuse = scenario.Reuse });
            return new Proxy(haproxy.Frontend.HttpPort, () => haproxy.Process.MasterPid, () => haproxy.DisposeAsync());
        }

        public static async Task<Proxy> StartHandAsync(string dir, Func<int, string, string> config)
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
            var proxy = new Proxy(port, () => process.Id, () =>
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
            }, TimeSpan.FromSeconds(10), $"HAProxy ({path}) listening");
            return proxy;
        }

        public async Task WarmUpAsync(string? host)
        {
            await LoadTools.H2loadAsync(Port, host, 5_000);
            await LoadTools.WrkAsync(Port, host, TimeSpan.FromSeconds(1));
        }

        /// <summary>Seconds of CPU this HAProxy (master and worker) has used.</summary>
        public double CpuSeconds() => LoadTools.CpuSeconds(_pid() ?? throw new InvalidOperationException($"HAProxy on port {Port} is not running"));

        public async Task<Sample> MeasureAsync(string? host)
        {
            var before = CpuSeconds();
            var h2 = await LoadTools.H2loadAsync(Port, host, H2Requests);
            var middle = CpuSeconds();
            var h1 = await LoadTools.WrkAsync(Port, host, WrkDuration);
            var after = CpuSeconds();
            return new Sample(h2.Rate, h2.Requests / (middle - before), h1.Rate, h1.Requests / (after - middle), h1.P99Ms);
        }

        public ValueTask DisposeAsync() => _stop();
    }

    /// <summary>The hand-written configs: what an operator would write for the same backends, and the ablation's additions to it.</summary>
    private static class HandConfig
    {
        /// <param name="Rules">Routing rules after the host map (which then answers only the hosts it has): a wildcard's, a path's.</param>
        public sealed record Extras(string Defaults = "", string Frontend = "", string Backend = "", string Server = "", string? Map = null, string Rules = "",
            string Global = "")
        {
            public static readonly Extras None = new();
        }

        /// <summary>A config for a free port and its directory: exact Host lookup in one map when there are host routes, the extra rules, then one default backend.</summary>
        public static Func<int, string, string> For(IReadOnlyList<string> backends, int ngPort, IReadOnlyList<(string Host, string Backend)> hosts, Extras extras) =>
            (port, dir) =>
            {
                var cfg = new StringBuilder();
                cfg.Append("global\n    stats socket ").Append(dir).Append("/haproxy.sock mode 600 level admin\n").Append(extras.Global);
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

        /// <summary>
        /// Each part of what Gateway renders, alone, with a key (<c>GATEWAY_BENCH_ABLATION=key,…</c>
        /// runs those beside the baseline); then other ways to write the forwarding headers, and what
        /// a careful operator might set (what Gateway rendered before issue 8 is in the results of
        /// 2026-12-01 and 2026-12-02).
        /// </summary>
        public static IReadOnlyList<(string Key, string Name, Extras Extras)> Ablation(string mapDir)
        {
            Directory.CreateDirectory(mapDir);
            var hostPath = Path.Combine(mapDir, "hostpath.map");
            var path = Path.Combine(mapDir, "path.map");
            File.WriteAllText(hostPath, "api.bench.test/ be0000\n*.w.bench.test/ be0000\n");
            var hosts = Path.Combine(mapDir, "hosts.map");
            File.WriteAllText(hosts, "api.bench.test/ be0000\n");
            File.WriteAllText(path, "/ be0000\n");
            const string SetUri = "    http-request set-uri http://%[req.hdr(host)]%[pathq]";
            const string Xfp = "    http-request set-header X-Forwarded-Proto http\n";
            return
            [
                ("nothing", "nothing (the baseline)", Extras.None),
                ("forwardfor", "option forwardfor", new Extras(Frontend: "    option forwardfor\n")),
                ("xfp", "X-Forwarded-Proto http (without a TLS bind)", new Extras(Frontend: Xfp)),
                ("headers", "both forwarding headers: forwardfor and X-Forwarded-Proto", new Extras(Frontend: "    option forwardfor\n" + Xfp)),
                ("headers-set", "both forwarding headers by set-header: X-Forwarded-For %[src], X-Forwarded-Proto",
                    new Extras(Frontend: "    http-request set-header X-Forwarded-For %[src]\n" + Xfp)),
                ("headers-add", "both forwarding headers by add-header after del-header (X-Forwarded-For appended, as forwardfor does)",
                    new Extras(Frontend: "    http-request add-header X-Forwarded-For %[src]\n    http-request del-header X-Forwarded-Proto\n    http-request add-header X-Forwarded-Proto http\n")),
                ("headers-backend", "both forwarding headers, set in the backend instead of the frontend",
                    new Extras(Backend: "    option forwardfor\n" + Xfp)),
                ("hosts-lookup", "route lookup: host, wildcard, path (no host route names a path)", new Extras(Map: mapDir, Frontend:
                    $"    http-request set-var(txn.gw_backend) req.hdr(host),lower,field(1,:),concat(/),map_str({hostPath})\n" +
                    $"    http-request set-var(txn.gw_backend) req.hdr(host),lower,field(1,:),regsub(^[^.]*,*),concat(/),map_str({hostPath}) if !{{ var(txn.gw_backend) -m found }}\n" +
                    "    use_backend %[var(txn.gw_backend)] if { var(txn.gw_backend) -m found }\n" +
                    $"    use_backend %[path,concat(/),map_beg({path},_unrouted)]\n")),
                ("host-lookup", "route lookup: hosts and a catch-all (one exact lookup answering the catch-all)", new Extras(Map: mapDir, Frontend:
                    $"    use_backend %[req.hdr(host),lower,field(1,:),concat(/),map_str({hosts},be0000)]\n")),
                ("path-lookup", "route lookup: paths only (one fetch)", new Extras(Map: mapDir, Frontend: $"    use_backend %[path,concat(/),map_beg({path},_unrouted)]\n")),
                ("scheme", "h2c scheme rewrite unless the request says http", new Extras(Backend: SetUri + " if !{ url_beg http:// } { req.hdr(host) -m found }\n")),
                ("check", "check inter 2s", new Extras(Server: " check inter 2s")),
                ("catch-all", "all that Gateway adds per request for one catch-all route: forwardfor, X-Forwarded-Proto, h2c rewrite unless http (no lookup: the catch-all is the default backend)",
                    new Extras(
                        Frontend: "    option forwardfor\n" + Xfp,
                        Backend: SetUri + " if !{ url_beg http:// } { req.hdr(host) -m found }\n")),
                ("defaults", "Gateway's defaults (keep-alive, idle-close-on-response, redispatch, retries 3, timeouts)", new Extras(Defaults:
                    "    option http-keep-alive\n    option idle-close-on-response\n    option redispatch\n    retries 3\n" +
                    "    timeout http-request 10s\n    timeout http-keep-alive 10s\n    timeout queue 30s\n")),
                ("reuse-aggressive", "http-reuse aggressive (a session's first request may share a backend connection already reused)",
                    new Extras(Defaults: "    http-reuse aggressive\n")),
                ("reuse-always", "http-reuse always (a session's first request may share any backend connection)", new Extras(Defaults: "    http-reuse always\n")),
                ("nbthread1", "nbthread 1 (HAProxy picks one thread per CPU: 2 here)", new Extras(Global: "    nbthread 1\n")),
            ];
        }
    }
}
