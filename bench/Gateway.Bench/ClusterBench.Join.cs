using System.Diagnostics;
using Gateway.Testing;

namespace Gateway.Bench;

/// <summary>
/// A node joining a cluster that holds 10,000 backends of 4 servers: three nodes on a database of
/// their own are seeded (documents of 100 through the three nodes) until all three serve every
/// backend, then a fourth node with an empty data dir is started and timed from its process start
/// until its status says it serves all of them: appliedHash equal to its desiredHash and to the
/// cluster's, and as many backends as were seeded. Its status is asked every 100 ms once
/// <c>/readyz</c> answers (a status lists every backend).
/// </summary>
public static partial class ClusterBench
{
    private static readonly TimeSpan SeedLimit = TimeSpan.FromSeconds(600);
    private static readonly TimeSpan JoinLimit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan RestLimit = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Waits (at most <see cref="RestLimit"/>) until the nodes and their HAProxies use under 0.2 core
    /// over a second: after seeding, the old HAProxy workers, the nodes' JIT and GC still work for a
    /// while, and a join then would measure the seeding's tail. Answers the wait and the last CPU share.
    /// </summary>
    private static async Task<(TimeSpan Waited, double Cores)> AtRestAsync(IReadOnlyList<NodeProcess> nodes)
    {
        var masters = nodes.Select(n => int.Parse(File.ReadAllText(n.Layout.PidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        long Ticks() => nodes.Sum(n => OwnCpuTicks(n.ProcessId)) + masters.Sum(LoadTools.CpuTicks);
        var waited = Stopwatch.StartNew();
        double cores;
        do
        {
            var before = Ticks();
            await Task.Delay(1000);
            cores = (Ticks() - before) / 100.0;
        }
        while (cores >= 0.2 && waited.Elapsed < RestLimit);
        return (waited.Elapsed, cores);
    }

    private static async Task<Table> JoinAsync(PostgresServer postgres, Counts counts, PhaseLog phases)
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, "bench_join", 3, NodeExtra);
        var nodes = cluster.Nodes.ToList();
        await Eventually.True(async () => await ConvergedAsync(nodes, 3), TimeSpan.FromSeconds(60), "three members, converged");
        var count = counts.JoinBackends;
        var seeding = Stopwatch.StartNew();
        var documents = Enumerable.Range(0, count).Chunk(100)
            .Select(chunk => chunk.Select(i => Backend($"j{i:D5}", Address("127.2", i), 20000, servers: 4)).ToArray()).ToList();
        var retried = (await Task.WhenAll(nodes.Select((node, k) => SeedAsync(node, documents.Where((_, d) => d % nodes.Count == k))))).Sum();
        var stored = seeding.Elapsed;
        await AllAppliedAsync(cluster, nodes, SeedLimit);
        var seeded = seeding.Elapsed;
        var clusterHash = (await nodes[0].StatusAsync()).GetProperty("desiredHash").GetString();
        var (restWait, restCores) = await AtRestAsync(nodes);

        phases.Start("join: the fourth node starting");
        var started = Stopwatch.StartNew();
        var joiner = cluster.Launch();
        await joiner.WaitReadyAsync(JoinLimit);
        var ready = started.Elapsed;
        var last = "";
        while (true)
        {
            var status = await joiner.StatusAsync();
            var (desired, applied) = (status.GetProperty("desiredHash").GetString(), status.GetProperty("appliedHash").GetString());
            var backends = status.GetProperty("backends").EnumerateObject().Count();
            if (applied == desired && desired == clusterHash && backends == count)
                break;
            last = $"{backends} backends, desired {desired}, applied {applied}, the cluster's {clusterHash}";
            if (started.Elapsed > JoinLimit)
                throw new TimeoutException($"the fourth node did not serve all {count} backends within {JoinLimit.TotalSeconds:0} s: {last}");
            await Task.Delay(100);
        }
        var serving = started.Elapsed;
        var members = await Eventually.Get(() => nodes[0].StatusAsync(), s => s.GetProperty("cluster").GetProperty("members").GetArrayLength() == 4,
            TimeSpan.FromSeconds(30), "four members");

        var table = new Table($"A fourth node joining a cluster that holds {count:N0} backends of 4 servers (its data dir empty; the journal holds only their creation)",
            "measure", "value", "target");
        table.Add("seeding: documents of 100 through the three nodes, all stored (s)", stored.TotalSeconds, "");
        table.Add("seeding: documents answered 503 and sent again", retried, "");
        table.Add("seeding: … and served by all three HAProxies (s)", seeded.TotalSeconds, "");
        table.Add($"the three nodes at rest before the join (CPU of their processes and HAProxies, waited {restWait.TotalSeconds:0} s for it; cores)", restCores, "");
        table.Add("join: process start → `/readyz` answers 200 (s)", ready.TotalSeconds, "");
        table.Add($"**join: process start → serving all {count:N0} (appliedHash = desiredHash = the cluster's)** (s)", serving.TotalSeconds, "≤ 10");
        table.Add("the fourth node's RSS then (MB)", RssMb(joiner.ProcessId), "");
        table.Add("members seen by node 1 after the join", members.GetProperty("cluster").GetProperty("members").GetArrayLength(), "4");
        phases.Start("stopping the four nodes");
        return table;
    }
}
