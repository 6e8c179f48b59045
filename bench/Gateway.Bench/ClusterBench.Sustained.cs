using System.Diagnostics;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Bench;

/// <summary>
/// Sustained changes: address changes spread over many existing backends, sent as documents of 100
/// (<c>POST /api/backends</c>) through all three nodes' admin APIs, a few clients per node. A change
/// counts as persisted when its journal row exists (rows counted in PostgreSQL: every row is one
/// version of one backend) and as applied when every node's status shows every backend's desired
/// version at the journal's newest and applied. Each node's RSS is sampled every second, and its
/// memory as its status reports it every 10 s.
/// </summary>
public static partial class ClusterBench
{
    private const int ClientsPerNode = 3;
    private const int ChangesPerDocument = 100;
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(180);

    private static async Task<IReadOnlyList<Table>> SustainedAsync(ClusterNodes cluster, Counts counts)
    {
        var nodes = cluster.Nodes;
        var backends = counts.SustainedBackends;
        var retried = await SeedAsync(nodes[0], Enumerable.Range(0, backends).Chunk(100)
            .Select(chunk => chunk.Select(i => Backend($"s{i}", Address("127.1", 0), 20000)).ToArray()));
        var (_, seeded) = await AllAppliedAsync(cluster, nodes, DrainLimit);

        // A new backend's writer stops once it has stored its creation, and an idle one after 2 minutes: the first change
        // of each wakes it (a recovery from the journal). Timed apart, so the stream below measures writers that are up.
        Console.WriteLine($"  {DateTime.Now:HH:mm:ss} seeded {backends} backends; waking each writer with one change");
        var waking = Stopwatch.StartNew();
        var wakeDocuments = Enumerable.Range(0, backends).Chunk(ChangesPerDocument)
            .Select(chunk => chunk.Select(i => Backend($"s{i}", Address("127.1", 1), 20000)).ToArray()).ToList();
        retried += (await Task.WhenAll(nodes.Select((node, k) => SeedAsync(node, wakeDocuments.Where((_, d) => d % nodes.Count == k))))).Sum();
        var (wakeDrain, before) = await AllAppliedAsync(cluster, nodes, DrainLimit);
        var woken = waking.Elapsed;
        var statusBefore = await Task.WhenAll(nodes.Select(node => node.StatusAsync()));

        var cpu = await CpuSharesAsync(cluster);
        var cpuBefore = cpu.Select(c => c.Ticks()).ToList();
        var rss = nodes.Select(_ => new List<double>()).ToList();
        var memory = new List<MemorySample>();
        using var stop = new CancellationTokenSource(counts.Sustained);
        var sampler = Task.Run(async () =>
        {
            var since = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                for (var k = 0; k < nodes.Count; k++)
                    rss[k].Add(RssMb(nodes[k].ProcessId));
                if (since.Elapsed >= MemoryEvery * memory.Count)
                    memory.Add(await MemorySampleAsync(cluster, since.Elapsed));
                await Task.Delay(1000, CancellationToken.None);
            }
            memory.Add(await MemorySampleAsync(cluster, since.Elapsed));
        });
        Console.WriteLine($"  {DateTime.Now:HH:mm:ss} streaming changes for {counts.Sustained.TotalSeconds:0} s");
        long generation = 1, refused = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(nodes.SelectMany(node => Enumerable.Range(0, ClientsPerNode).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref generation);
                var first = (int)(n * 7919 % backends);
                var batch = Enumerable.Range(first, ChangesPerDocument).Select(i => i % backends).Distinct()
                    .Select(i => Backend($"s{i}", Address("127.1", n), 20000));
                using var response = await node.PostJsonAsync("/api/backends", Document(batch));
                if (!response.IsSuccessStatusCode)
                    Interlocked.Increment(ref refused);
            }
        }))));
        var streamed = clock.Elapsed;
        var atStreamEnd = await JournalVersionsAsync(cluster);
        Console.WriteLine($"  {DateTime.Now:HH:mm:ss} stream ended; waiting until every node applied it");
        await sampler;
        var (drain, after) = await AllAppliedAsync(cluster, nodes, DrainLimit);
        var cpuSeconds = cpu.Select((c, i) => (c.Name, Seconds: (c.Ticks() - cpuBefore[i]) / 100.0)).ToList();
        var statusAfter = await Task.WhenAll(nodes.Select(node => node.StatusAsync()));
        var changes = after - before;

        var table = new Table($"Sustained changes: {backends:N0} backends of one server, address changes in documents of {ChangesPerDocument} "
            + $"(`POST /api/backends`), {ClientsPerNode} clients on each of the three nodes, {counts.Sustained.TotalSeconds:0} s",
            "measure", "value", "target");
        table.Add("changes persisted (journal rows)", changes, "");
        table.Add("persisted/s while streaming (journal rows when the last document was answered)", (atStreamEnd - before) / streamed.TotalSeconds, "");
        table.Add("**persisted and applied on all three /s** (the stream until every node's HAProxy serves the journal's newest)",
            changes / (streamed + drain).TotalSeconds, "≥ 5,000");
        table.Add("persisted/s, median of the 10 s windows in the stream's second half (the nodes' JIT warmed up)", SecondHalfPace(memory), "");
        table.Add("catch-up after the stream until applied on all three (ms)", drain.TotalMilliseconds, "");
        table.Add("documents refused", Interlocked.Read(ref refused), "0");
        table.Add($"before the stream: one change to each backend, waking its writer (documents of {ChangesPerDocument}, one client per node), "
            + "persisted and applied on all three /s", (before - seeded) / woken.TotalSeconds, "");
        table.Add("… of which the catch-up after the last answer (ms)", wakeDrain.TotalMilliseconds, "");
        table.Add("seeding and waking: documents answered 503 and sent again", retried, "");
        for (var k = 0; k < nodes.Count; k++)
        {
            var (b, a) = (statusBefore[k], statusAfter[k]);
            table.Add($"node {k + 1}: runtime commands / reloads during the run",
                $"{a.GetProperty("runtimeCommands").GetInt64() - b.GetProperty("runtimeCommands").GetInt64():N0} / "
                + $"{a.GetProperty("reloads").GetInt64() - b.GetProperty("reloads").GetInt64()}", "");
            table.Add($"node {k + 1}: RSS at the stream's start / end / max (MB)",
                $"{rss[k].FirstOrDefault():0} / {rss[k].LastOrDefault():0} / {rss[k].DefaultIfEmpty().Max():0}", "flat");
        }
        var wall = (streamed + drain).TotalSeconds;
        table.Add($"CPU during the stream and catch-up ({wall:0.#} s wall, 2 cores): "
            + string.Join(", ", cpuSeconds.Select(c => $"{c.Name} {c.Seconds:0.#} s")), $"{cpuSeconds.Sum(c => c.Seconds) / wall:0.##} cores", "");
        table.Add("CPU per change persisted and applied on all three (ms, all processes above)", cpuSeconds.Sum(c => c.Seconds) * 1000 / changes, "");
        return [table, MemoryTable(memory, nodes.Count)];
    }

    private static readonly TimeSpan MemoryEvery = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Each node's memory at one moment of the stream, from its <c>/api/status</c> <c>process</c> (MB), and the
    /// journal's newest ordering then: the rate between two samples is the stream's pace as the nodes warm up.
    /// </summary>
    private sealed record MemorySample(TimeSpan At, long Ordering, IReadOnlyList<(double Rss, double Live, double Committed, int Gen2)> Nodes);

    private static async Task<MemorySample> MemorySampleAsync(ClusterNodes cluster, TimeSpan at)
    {
        const double Mb = 1 << 20;
        var statuses = await Task.WhenAll(cluster.Nodes.Select(node => node.StatusAsync()));
        await using var db = new NpgsqlConnection(cluster.ConnectionString);
        await db.OpenAsync();
        await using var newest = db.CreateCommand();
        newest.CommandText = "SELECT coalesce(max(ordering), 0) FROM journal";
        return new MemorySample(at, (long)(await newest.ExecuteScalarAsync())!, statuses.Select(s => s.GetProperty("process")).Select(p => (
            p.GetProperty("rssBytes").GetInt64() / Mb, p.GetProperty("liveHeapBytes").GetInt64() / Mb,
            p.GetProperty("committedBytes").GetInt64() / Mb, p.GetProperty("gen2Collections").GetInt32())).ToList());
    }

    /// <summary>The stream's pace once the nodes are warm: the median of the windows between samples in its second half.</summary>
    private static double SecondHalfPace(IReadOnlyList<MemorySample> samples)
    {
        var half = samples.Count == 0 ? TimeSpan.Zero : samples[^1].At / 2;
        return Stats.Median(samples.Zip(samples.Skip(1), (first, second) => (First: first, Second: second))
            .Where(pair => pair.First.At >= half)
            .Select(pair => (pair.Second.Ordering - pair.First.Ordering) / (pair.Second.At - pair.First.At).TotalSeconds));
    }

    /// <summary>
    /// Memory through the stream: whether it settles. RSS is the process; "live" what the newest gen2 collection
    /// kept (the data a node holds, which must not grow with the number of changes); "committed" what the GC holds.
    /// </summary>
    private static Table MemoryTable(IReadOnlyList<MemorySample> samples, int nodeCount)
    {
        var table = new Table($"Through the sustained stream, every {MemoryEvery.TotalSeconds:0} s: events persisted/s since the previous line; "
            + "each node's RSS / live heap after the newest gen2 / GC committed (MB), gen2 collections",
            ["s", "persisted/s", .. Enumerable.Range(1, nodeCount).Select(k => $"node {k}")]);
        for (var i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            var pace = i == 0 ? "" : ((sample.Ordering - samples[i - 1].Ordering) / (sample.At - samples[i - 1].At).TotalSeconds)
                .ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
            table.Add([sample.At.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture), pace,
                .. sample.Nodes.Select(n => (object)$"{n.Rss:0} / {n.Live:0} / {n.Committed:0}, {n.Gen2}")]);
        }
        return table;
    }

    /// <summary>The sum of every backend's newest version: the journal's backend rows (no events are ever deleted).</summary>
    private static async Task<long> JournalVersionsAsync(ClusterNodes cluster)
    {
        await using var db = new NpgsqlConnection(cluster.ConnectionString);
        await db.OpenAsync();
        await using var count = db.CreateCommand();
        count.CommandText = "SELECT count(*) FROM journal WHERE persistence_id LIKE 'backend-%'";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Waits until every node's desired versions add up to the journal's (read again each time: a
    /// document answered 503 after the admin API's 10 s still lands later) and its HAProxy applied
    /// each; answers how long that took and the journal's versions then.
    /// </summary>
    /// <remarks>Polled every 100 ms: a status lists every backend, and asking for it takes CPU from the nodes being measured.</remarks>
    private static async Task<(TimeSpan Took, long Versions)> AllAppliedAsync(ClusterNodes cluster, IReadOnlyList<NodeProcess> nodes, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < within)
        {
            var versions = await JournalVersionsAsync(cluster);
            var behind = new List<string>();
            for (var k = 0; k < nodes.Count; k++)
            {
                var backends = Versions(await nodes[k].StatusAsync()).ToList();
                var (desired, unapplied) = (backends.Sum(b => b.Desired), backends.Count(b => b.Applied != b.Desired));
                if (desired != versions || unapplied > 0)
                    behind.Add($"node {k + 1}: desired {desired}, {unapplied} unapplied");
            }
            if (behind.Count == 0 && await JournalVersionsAsync(cluster) == versions)
                return (clock.Elapsed, versions);
            last = $"journal {versions}: {string.Join("; ", behind)}";
            await Task.Delay(100);
        }
        throw new TimeoutException($"the journal's backend versions not applied on every node within {within.TotalSeconds:0} s: {last}");
    }
}
