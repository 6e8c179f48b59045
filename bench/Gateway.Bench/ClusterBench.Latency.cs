using System.Diagnostics;
using Gateway.Testing;

namespace Gateway.Bench;

/// <summary>
/// A change → live on all three HAProxies. Runtime path: one existing backend's server address
/// moved through an admin API (<c>PUT</c>, no wait), alternately through its writer's node and
/// through another node, 50–100 ms apart after a warm-up; timed from sending the PUT until the last
/// of the three HAProxies shows the address in <c>show servers state</c> (<see cref="HaproxyWatch"/>,
/// polled from when the PUT is answered, so a figure never undercounts: a HAProxy that had it before
/// the answer counts at the answer). Reload path: a new backend, the same way, 1.5 s apart so each
/// gets a reload of its own (the nodes' MinReloadInterval is 1 s).
/// </summary>
public static partial class ClusterBench
{
    private static readonly TimeSpan LatencyBudget = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan LiveLimit = TimeSpan.FromSeconds(10);

    /// <summary>One change: the PUT answered, and each HAProxy showing it, in ms from sending the PUT.</summary>
    private sealed record Sample(int Through, double Answered, double[] Live)
    {
        public double Last => Live.Max();
        public bool LiveWhenAnswered => Live.All(l => l <= Answered + 0.5);
    }

    private static async Task<Table> RuntimePathAsync(ClusterNodes cluster, Counts counts)
    {
        var nodes = cluster.Nodes;
        var writers = await ProbeWritersAsync(cluster, 9, "127.0.0.1");
        // a probe written on node 1: through node 1 the writer is local, through node 3 it is elsewhere
        var (probe, writer) = writers.OrderBy(w => w.Value).ThenBy(w => w.Key, StringComparer.Ordinal).Select(w => (w.Key, w.Value)).First();
        var through = new[] { writer, writer == 3 ? 1 : 3 };
        await using var watch = new HaproxyWatch(nodes.Select(node => node.Layout));
        await watch.WaitAsync(probe, "127.0.0.1", Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(30), freshConnections: true);
        await watch.ReconnectAsync();
        var reloadsBefore = await Task.WhenAll(nodes.Select(node => node.ReloadsAsync()));

        var n = 0;
        var budget = Stopwatch.StartNew();
        for (var i = 0; i < counts.WarmUp && budget.Elapsed < LatencyBudget; i++)
            await ChangeAsync(nodes, watch, through[i % 2], probe, Address("127.0", ++n));
        var samples = new List<Sample>();
        var random = new Random(42);
        var cpu = await CpuSharesAsync(cluster);
        var cpuBefore = cpu.Select(c => c.Ticks()).ToList();
        var measuring = Stopwatch.StartNew();
        for (var i = 0; i < 2 * counts.Samples && budget.Elapsed < LatencyBudget; i++)
        {
            await Task.Delay(random.Next(50, 101));
            samples.Add(await ChangeAsync(nodes, watch, through[i % 2], probe, Address("127.0", ++n)));
        }
        var cpuSeconds = cpu.Select((c, i) => (c.Name, Seconds: (c.Ticks() - cpuBefore[i]) / 100.0)).ToList();
        var wall = measuring.Elapsed.TotalSeconds;
        var reloadsAfter = await Task.WhenAll(nodes.Select(node => node.ReloadsAsync()));

        var table = new Table($"Change → live on all three HAProxies, runtime path: backend `{probe}` (its writer on node {writer}) moved to another address by "
            + $"`PUT` through node {through[0]} and node {through[1]} alternately, 50–100 ms apart, after {counts.WarmUp} changes of warm-up "
            + $"(at most {LatencyBudget.TotalSeconds:0} s); `show servers state` polled on each HAProxy's stats socket from the PUT's answer",
            "measure", "n", "p50 ms", "p99 ms", "max ms", "target");
        foreach (var via in through)
        {
            var of = samples.Where(s => s.Through == via).ToList();
            var where = via == writer ? "writer local" : "writer elsewhere";
            table.Add([$"through node {via} ({where}): PUT answered (persisted)", .. Spread(of.Select(s => s.Answered).ToList()), ""]);
            table.Add([$"through node {via} ({where}): **the last of the three HAProxies shows it**", .. Spread(of.Select(s => s.Last).ToList()),
                "p50 ≤ 10, p99 ≤ 50"]);
            for (var k = 0; k < nodes.Count; k++)
                table.Add([$"through node {via}: node {k + 1}'s HAProxy shows it", .. Spread(of.Select(s => s.Live[k]).ToList()), ""]);
            table.Add($"through node {via}: live on all three when the PUT was answered", $"{of.Count(s => s.LiveWhenAnswered)} of {of.Count}", "", "", "", "");
        }
        table.Add("reloads during the run, per node", string.Join(" / ", reloadsAfter.Zip(reloadsBefore, (a, b) => a - b)), "", "", "", "");
        table.Add($"CPU while sampling ({wall:0} s): " + string.Join(", ", cpuSeconds.Select(c => $"{c.Name} {c.Seconds / wall:0.###}")) + " cores",
            $"{cpuSeconds.Sum(c => c.Seconds) / wall:0.##} cores", "", "", "", "");
        return table;
    }

    private static async Task<Sample> ChangeAsync(List<NodeProcess> nodes, HaproxyWatch watch, int through, string backend, string ip, bool fresh = false)
    {
        var started = Stopwatch.GetTimestamp();
        await nodes[through - 1].PutOkAsync($"/api/backends/{backend}", Backend(backend, ip, 20000));
        var answered = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return new Sample(through, answered, await watch.WaitAsync(backend, ip, started, LiveLimit, fresh));
    }

    private static async Task<Table> ReloadPathAsync(ClusterNodes cluster, Counts counts)
    {
        var nodes = cluster.Nodes;
        await using var watch = new HaproxyWatch(nodes.Select(node => node.Layout));
        var reloadsBefore = await Task.WhenAll(nodes.Select(node => node.ReloadsAsync()));
        var samples = new List<Sample>();
        var through = new[] { 1, 3 };
        var budget = Stopwatch.StartNew();
        for (var i = 0; i < counts.NewBackends && budget.Elapsed < LatencyBudget; i++)
        {
            await Task.Delay(1500);
            samples.Add(await ChangeAsync(nodes, watch, through[i % 2], $"new{i}", "127.3.0.1", fresh: true));
        }
        var reloadsAfter = await Task.WhenAll(nodes.Select(node => node.ReloadsAsync()));
        var table = new Table($"Change → live on all three HAProxies, reload path: a new backend by `PUT` through node 1 and node 3 alternately, 1.5 s apart "
            + "(each its own reload; MinReloadInterval 1 s, quiet period 100 ms); `show servers state` polled on a fresh stats connection each time",
            "measure", "n", "p50 ms", "p99 ms", "max ms", "target");
        table.Add(["PUT answered (persisted)", .. Spread(samples.Select(s => s.Answered).ToList()), ""]);
        table.Add(["**the last of the three HAProxies serves it**", .. Spread(samples.Select(s => s.Last).ToList()), "p99 ≤ 1,000"]);
        for (var k = 0; k < nodes.Count; k++)
            table.Add([$"node {k + 1}'s HAProxy serves it", .. Spread(samples.Select(s => s.Live[k]).ToList()), ""]);
        table.Add("reloads during the run, per node", string.Join(" / ", reloadsAfter.Zip(reloadsBefore, (a, b) => a - b)), "", "", "", "");
        return table;
    }
}
