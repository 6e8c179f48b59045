using System.Diagnostics;
using System.Globalization;
using System.Net;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Testing;

namespace Gateway.Bench;

/// <summary>
/// One node end to end (issue 3), against a real HAProxy and SQLite: change → live latency on the
/// runtime path, sustained change throughput with memory sampled, a burst of new backends, and the
/// node's memory with 10,000 backends.
/// </summary>
public static partial class NodeBench
{
    /// <param name="parts">Which measurements to run: latency, alone, idle, throughput (or one of its feeds: AdminPut, AdminBulk, RestProvider), burst, memory (all when empty); wake and wake-pg (the same on PostgreSQL) only when named.</param>
    public static async Task<IReadOnlyList<Table>> RunAsync(TimeSpan sustained, IReadOnlySet<string> parts)
    {
        bool Want(string part) => parts.Count == 0 || parts.Contains(part);
        var builds = NodeBuild.FromEnvironment();
        var rounds = NodeBuild.Rounds(builds);
        var tables = new List<Table>();
        if (Want("latency"))
            tables.Add(await ForEachBuild(builds, rounds, "Change → live on the runtime path, streamed (address changes one at a time, back to back, each persisted to SQLite first)",
                ["p50 ms", "p99 ms", "max ms"], (build, table) => LatencyAsync(build, table, warmUp: 3000, samples: 2000)));
        if (Want("alone"))
            tables.Add(await AloneAsync(builds, rounds, warmUp: 300, streamed: 500, alone: 200));
        if (parts.Contains("wake"))
            tables.Add(await WakeAsync(builds, rounds, backends: 200, fillerRows: 1_000_000, wakes: 100, postgres: false));
        if (parts.Contains("wake-pg"))
            tables.Add(await WakeAsync(builds, rounds, backends: 200, fillerRows: 1_000_000, wakes: 100, postgres: true));
        if (Want("idle"))
            tables.Add(await IdleAsync(builds, backends: 1000, TimeSpan.FromSeconds(60)));
        var feeds = Enum.GetValues<Feed>().Where(f => Want("throughput") || parts.Contains(f.ToString())).ToList();
        if (feeds.Count > 0)
            tables.Add(await ForEachBuild(builds, rounds, $"Sustained changes, {sustained.TotalSeconds:0} s each way, 5000 backends (address changes, each persisted to SQLite)",
                ["persisted/s", "applied (runtime commands)/s", "catch-up after the last (ms)", "reloads", "RSS first / last / max (MB)"],
                async (build, table) =>
                {
                    foreach (var feed in feeds)
                        table.Add([$"{build.Name}: {Describe(feed)}", .. await ThroughputAsync(build, feed, sustained, backends: 5000)]);
                }));
        if (Want("burst"))
            tables.Add(await BurstAsync(1000));
        if (Want("memory"))
            tables.Add(await MemoryAsync(10_000));
        return tables;
    }

    /// <summary>Runs a measurement for every build, the builds interleaved over <paramref name="rounds"/>, into one table.</summary>
    private static async Task<Table> ForEachBuild(IReadOnlyList<NodeBuild> builds, int rounds, string title, string[] columns, Func<NodeBuild, Table, Task> measure)
    {
        var table = new Table(title, ["measure", .. columns]);
        for (var round = 1; round <= rounds; round++)
            foreach (var build in builds)
                await measure(rounds > 1 ? build with { Name = $"{build.Name} (round {round})" } : build, table);
        return table;
    }

    private static string Backend(string name, string ip, int port, int servers = 1) =>
        $$"""{"name":"{{name}}","healthCheck":{"enabled":false},"servers":[{{string.Join(",", Enumerable.Range(0, servers).Select(s => $$"""{"name":"s{{s}}","ip":"{{ip}}","port":{{port + s}}}"""))}}]}""";

    private static async Task<NodeProcess> StartNodeAsync(TempDir dir, NodeBuild? build = null, string[]? extra = null) =>
        await NodeProcess.StartAsync(new NodeSettings(dir.Path)
        {
            Extra = ["--Gateway:Manager:MinReloadInterval=1s", "--Gateway:Manager:SyncPeriod=5s", .. extra ?? []],
            NodeDll = build?.Dll,
        });

    /// <summary>
    /// From the PUT until HAProxy's own runtime state shows the new address (polled on a second CLI
    /// connection), one change at a time. The first <paramref name="warmUp"/> changes after the
    /// node started are reported apart: until the JIT's tiering (with dynamic PGO) has settled, a
    /// fresh process has a longer tail than one that has served a while.
    /// </summary>
    private static async Task LatencyAsync(NodeBuild build, Table table, int warmUp, int samples)
    {
        using var dir = new TempDir("gwb");
        await using var node = await StartNodeAsync(dir, build);
        await node.PutOkAsync("/api/backends/lat?wait=true", Backend("lat", "127.0.0.1", 20000));
        await using var cli = new RuntimeApiClient(node.Layout.RuntimeSocket);
        var toLive = new List<double>();
        var toAccepted = new List<double>();
        for (var i = 1; i <= warmUp + samples; i++)
        {
            var (accepted, live) = await ChangeAsync(node, cli, i);
            toAccepted.Add(accepted);
            toLive.Add(live);
        }
        var reloads = await node.ReloadsAsync();
        void Add(string what, List<double> all, int skip, int take)
        {
            var window = all.Skip(skip).Take(take).ToList();
            table.Add($"{build.Name}: {what}", Stats.Median(window), Stats.Percentile(window, 99), window.Max());
        }
        Add($"PUT answered (persisted), changes {warmUp + 1}–{warmUp + samples}", toAccepted, warmUp, samples);
        Add($"PUT → `show servers state` shows it, changes {warmUp + 1}–{warmUp + samples}", toLive, warmUp, samples);
        Add($"PUT → `show servers state` shows it, first {warmUp} changes after start", toLive, 0, warmUp);
        table.Add($"{build.Name}: reloads during the run: {reloads - 1}", "", "", "");
    }

    /// <summary>The server address of the <paramref name="n"/>th change: each change moves the server.</summary>
    private static string Ip(int n) => $"127.0.{n / 250 % 250}.{n % 250 + 1}";

    /// <summary>
    /// Moves backend <c>lat</c> to the <paramref name="n"/>th address: how long until the PUT was
    /// answered (stored) and until HAProxy's own runtime state shows it (polled on a second CLI connection), in ms.
    /// </summary>
    private static async Task<(double Accepted, double Live)> ChangeAsync(NodeProcess node, RuntimeApiClient cli, int n)
    {
        var ip = Ip(n);
        var started = Stopwatch.GetTimestamp();
        await node.PutOkAsync("/api/backends/lat", Backend("lat", ip, 20000));
        var accepted = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        while (true)
        {
            var reply = await cli.ExecuteAsync(RuntimeCommands.ShowServersState("lat"));
            if (ServerStates.Parse(reply.Output).Any(s => s.Address == ip))
                return (accepted, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
                throw new TimeoutException($"{ip} not live after 10 s");
        }
    }

    /// <summary>How changes reach the node in a throughput run.</summary>
    private enum Feed
    {
        /// <summary>One <c>PUT /api/backends/{name}</c> per change, 64 concurrent clients.</summary>
        AdminPut,
        /// <summary><c>POST /api/backends</c> with 100 changed backends each, 8 concurrent clients.</summary>
        AdminBulk,
        /// <summary>A REST provider whose source answers every poll with all backends moved.</summary>
        RestProvider,
    }

    private static string Describe(Feed feed) => feed switch
    {
        Feed.AdminPut => "admin API, one `PUT` per change, 64 clients",
        Feed.AdminBulk => "admin API, `POST /api/backends` of 100 changes, 8 clients",
        _ => "REST provider, every poll (100 ms) moves all backends",
    };

    /// <summary>
    /// The same backends and the same address changes, fed one way: changes persisted (sum of the
    /// backends' journal versions) and applied per second, memory sampled every second.
    /// </summary>
    private static async Task<object[]> ThroughputAsync(NodeBuild build, Feed feed, TimeSpan duration, int backends)
    {
        using var dir = new TempDir("gwb");
        await using var source = await SourceServer.StartAsync();
        long generation = 0;
        string Address(long n) => $"127.1.{n / 250 % 250}.{n % 250 + 1}";
        string Document(long n) => $$"""{"backends":[{{string.Join(",", Enumerable.Range(0, backends).Select(i => Backend($"t{i}", Address(n), 20000)))}}]}""";
        source.Serve(Document(0));
        var settings = new NodeSettings(dir.Path)
        {
            NodeDll = build.Dll,
            Extra = feed == Feed.RestProvider
                ?
                [
                    "--Gateway:Manager:SyncPeriod=5s", "--Gateway:Providers:0:Type=Rest", "--Gateway:Providers:0:Name=bench",
                    $"--Gateway:Providers:0:Url={source.Url}", "--Gateway:Providers:0:Interval=100ms",
                ]
                : ["--Gateway:Manager:SyncPeriod=5s"],
        };
        await using var node = await NodeProcess.StartAsync(settings);
        if (feed == Feed.RestProvider)
            await Eventually.True(async () => (await node.StatusAsync()).GetProperty("backends").EnumerateObject().Count() == backends,
                TimeSpan.FromSeconds(60), what: "the provider's first snapshot stored");
        else
            await SeedAsync(node, backends, i => Backend($"t{i}", Address(0), 20000));
        await WaitAllAppliedAsync(node, TimeSpan.FromSeconds(60));
        var reloadsBefore = await node.ReloadsAsync();
        var before = await node.StatusAsync();
        var commandsBefore = before.GetProperty("runtimeCommands").GetInt64();
        var versionsBefore = DesiredVersions(before);

        var pid = NodePid(node);
        var rss = new List<double>();
        using var stop = new CancellationTokenSource(duration);
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                rss.Add(RssMb(pid));
                await Task.Delay(1000, CancellationToken.None);
            }
        });
        var clock = Stopwatch.StartNew();
        switch (feed)
        {
            case Feed.AdminPut:
                await Task.WhenAll(Enumerable.Range(0, 64).Select(worker => Task.Run(async () =>
                {
                    var n = 0;
                    while (!stop.IsCancellationRequested)
                    {
                        var i = (worker * 7919 + n++) % backends;
                        await node.PutOkAsync($"/api/backends/t{i}", Backend($"t{i}", Address(n), 20000));
                    }
                })));
                break;
            case Feed.AdminBulk:
                await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
                {
                    var n = 0;
                    while (!stop.IsCancellationRequested)
                    {
                        n++;
                        var first = (worker * 7919 + n * 100) % backends;
                        var batch = Enumerable.Range(first, 100).Select(i => i % backends).Distinct().Select(i => Backend($"t{i}", Address(n * 8 + worker), 20000));
                        await node.PostOkAsync("/api/backends", $$"""{"backends":[{{string.Join(",", batch)}}]}""");
                    }
                })));
                break;
            case Feed.RestProvider:
                source.Serve(() => Document(Interlocked.Increment(ref generation)));
                await Task.Delay(duration, CancellationToken.None);
                source.Serve(Document(Interlocked.Increment(ref generation)));
                break;
        }
        var elapsed = clock.Elapsed;
        await sampler;
        var drained = Stopwatch.StartNew();
        await WaitAllAppliedAsync(node, TimeSpan.FromSeconds(60));
        var drain = drained.Elapsed;
        var status = await node.StatusAsync();
        var persisted = DesiredVersions(status) - versionsBefore;
        return
        [
            persisted / elapsed.TotalSeconds,
            (status.GetProperty("runtimeCommands").GetInt64() - commandsBefore) / elapsed.TotalSeconds,
            drain.TotalMilliseconds,
            status.GetProperty("reloads").GetInt64() - reloadsBefore,
            $"{rss.FirstOrDefault():0} / {rss.LastOrDefault():0} / {rss.DefaultIfEmpty().Max():0}",
        ];
    }

    /// <summary>Sum of the backends' desired versions: every stored change moves one by one.</summary>
    private static long DesiredVersions(System.Text.Json.JsonElement status) =>
        status.GetProperty("backends").EnumerateObject().Sum(b => b.Value.GetProperty("desired").GetInt64());

    /// <summary>1,000 new backends at once: how many reloads, and how long until HAProxy serves them all.</summary>
    private static async Task<Table> BurstAsync(int count)
    {
        using var dir = new TempDir("gwb");
        await using var node = await StartNodeAsync(dir);
        await using var server = await TestBackend.StartAsync("burst");
        var before = await node.ReloadsAsync();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, count).Chunk(count / 32).Select(async chunk =>
        {
            foreach (var i in chunk)
                await node.PutOkAsync($"/api/backends/burst{i:D4}", Backend($"burst{i:D4}", server.IP, server.Port));
        }));
        var stored = clock.Elapsed;
        await WaitAllAppliedAsync(node, TimeSpan.FromSeconds(60));
        var applied = clock.Elapsed;
        await node.PutOkAsync("/api/routes?wait=true", $$"""{"host":"","path":"/b{{count - 1}}","backend":"burst{{count - 1:D4}}"}""");
        using var client = Clients.Http1();
        var (status, _, _) = await client.FetchAsync(node.PlainUrl + $"/b{count - 1}");
        var table = new Table($"Burst of {count} new backends (32 concurrent clients)", "measure", "value");
        table.Add("all stored (s)", stored.TotalSeconds);
        table.Add("all served by HAProxy (s)", applied.TotalSeconds);
        table.Add("reloads", await node.ReloadsAsync() - before);
        table.Add("last backend answers through HAProxy", status == HttpStatusCode.OK ? "yes" : $"no ({(int)status})");
        return table;
    }

    private static async Task<Table> MemoryAsync(int count)
    {
        using var dir = new TempDir("gwb");
        await using var node = await StartNodeAsync(dir);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, count).Chunk(count / 32).Select(async chunk =>
        {
            foreach (var i in chunk)
                await node.PutOkAsync($"/api/backends/m{i:D5}", Backend($"m{i:D5}", $"127.2.{i / 250 % 250}.{i % 250 + 1}", 20000, servers: 4));
        }));
        await WaitAllAppliedAsync(node, TimeSpan.FromSeconds(120));
        var loaded = clock.Elapsed;
        GC.Collect();
        var rss = RssMb(NodePid(node));
        var stopping = Stopwatch.StartNew();
        await node.StopAsync();
        var stopped = stopping.Elapsed;
        var starting = Stopwatch.StartNew();
        await using var again = await NodeProcess.StartAsync(node.Settings with { AdminPort = FreePort.Next() }, TimeSpan.FromSeconds(120));
        var recovered = starting.Elapsed;
        var table = new Table($"{count:N0} backends of 4 servers", "measure", "value");
        table.Add("time to store and serve all (s)", loaded.TotalSeconds);
        table.Add("node RSS with all loaded (MB)", rss);
        table.Add("stop: SIGTERM until the node and its HAProxy exited (s)", stopped.TotalSeconds);
        table.Add("start: process start until `/readyz` (recovered from SQLite, HAProxy serving it) (s)", recovered.TotalSeconds);
        table.Add("node RSS after recovery (MB)", RssMb(NodePid(again)));
        return table;
    }

    /// <summary>Seeds backends in documents of 500: one document of 5,000 new backends can outlast the admin API's 10 s wait on a slow machine.</summary>
    private static async Task SeedAsync(NodeProcess node, int backends, Func<int, string> backend)
    {
        foreach (var chunk in Enumerable.Range(0, backends).Chunk(500))
            await node.PostOkAsync("/api/backends", $$"""{"backends":[{{string.Join(",", chunk.Select(backend))}}]}""");
    }

    private static async Task WaitAllAppliedAsync(NodeProcess node, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            var status = await node.StatusAsync();
            if (status.GetProperty("backends").EnumerateObject().All(b =>
                    b.Value.GetProperty("applied").ValueKind == System.Text.Json.JsonValueKind.Number
                    && b.Value.GetProperty("applied").GetInt64() == b.Value.GetProperty("desired").GetInt64()))
                return;
            await Task.Delay(20);
        }
        throw new TimeoutException("HAProxy did not catch up");
    }

    private static int NodePid(NodeProcess node) => node.ProcessId;

    private static double RssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }
}
