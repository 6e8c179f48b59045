using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Bench;

/// <summary>
/// Issue 9 §4: three node processes (this checkout's Release build) and a throwaway PostgreSQL on
/// this machine, all on loopback, each node with its own data dir and HAProxy. In one run: a change
/// → live on all three HAProxies on the runtime path and on the reload path, sustained changes
/// persisted and applied on all three with each node's memory, a fourth node joining a cluster
/// that holds 10,000 backends of 4 servers, and the one-node bench's lone-change latency (SQLite)
/// as the baseline. Each phase's CPU, this run's and other processes', is logged: the machine is shared.
/// </summary>
public static partial class ClusterBench
{
    /// <summary>How much each phase does: the full bench, or a quick pass for development.</summary>
    private sealed record Counts(
        int WarmUp, int Samples, int NewBackends, int SustainedBackends, TimeSpan Sustained, int JoinBackends,
        int BaselineWarmUp, int BaselineStreamed, int BaselineAlone, int RestWindow);

    private static readonly Counts Full = new(300, 300, 20, 3000, TimeSpan.FromSeconds(25), 10_000, 300, 500, 200, 10);
    private static readonly Counts Quick = new(30, 40, 3, 300, TimeSpan.FromSeconds(5), 1000, 50, 50, 40, 3);

    /// <summary>Every node runs with the product's timings (the test settings shorten them).</summary>
    private static readonly string[] NodeExtra = ["--Gateway:Manager:SyncPeriod=5s", "--Gateway:Manager:MinReloadInterval=1s"];

    /// <param name="quick">Smaller counts, for development.</param>
    /// <param name="parts">baseline, rest, latency, reload, sustained, join (all when empty).</param>
    public static async Task<IReadOnlyList<Table>> RunAsync(bool quick, IReadOnlySet<string> parts)
    {
        bool Want(string part) => parts.Count == 0 || parts.Contains(part);
        var counts = quick ? Quick : Full;
        // a longer stream, to see whether memory settles: GATEWAY_BENCH_SUSTAINED_SECONDS=120
        if (int.TryParse(Environment.GetEnvironmentVariable("GATEWAY_BENCH_SUSTAINED_SECONDS"), out var seconds) && seconds > 0)
            counts = counts with { Sustained = TimeSpan.FromSeconds(seconds) };
        var tables = new List<Table>();
        var phases = new PhaseLog();
        // Ctrl-C, SIGTERM or SIGHUP: kill what was started, then let the signal end the bench as it would
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Abort());
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Abort());
        using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => Abort());
        try
        {
            await RunPhasesAsync(counts, Want, tables, phases);
        }
        catch (Exception) when (Aborting)
        {
            // the nodes were killed under the phase: let the signal's cleanup finish before this ends the process
            AbortDone.Wait(TimeSpan.FromSeconds(60));
            throw new OperationCanceledException("the cluster bench was stopped by a signal");
        }
        tables.Add(phases.Finish());
        return tables;
    }

    private static async Task RunPhasesAsync(Counts counts, Func<string, bool> Want, List<Table> tables, PhaseLog phases)
    {
        if (Want("baseline"))
        {
            phases.Start("baseline: one node, SQLite");
            var table = await NodeBench.AloneAsync([new NodeBuild("one node, SQLite", null)], 1,
                counts.BaselineWarmUp, counts.BaselineStreamed, counts.BaselineAlone);
            tables.Add(table);
        }

        var postgres = _postgres = await PostgresServer.StartAsync();
        try
        {
            phases.Postmaster = await PostmasterAsync(postgres.ConnectionString);
            await ClusterPhasesAsync(postgres, counts, Want, tables, phases);
        }
        finally
        {
            // whoever takes it stops it: this, or a signal's Abort
            if (Interlocked.Exchange(ref _postgres, null) is { } stop)
                await stop.DisposeAsync();
        }
    }

    private static async Task ClusterPhasesAsync(PostgresServer postgres, Counts counts, Func<string, bool> Want, List<Table> tables, PhaseLog phases)
    {
        if (Want("rest") || Want("latency") || Want("reload") || Want("sustained"))
        {
            phases.Start("three nodes starting");
            await using var cluster = await ClusterNodes.StartAsync(postgres, "bench_changes", 3, NodeExtra);
            await Eventually.True(async () => await ConvergedAsync(cluster.Nodes, 3), TimeSpan.FromSeconds(60), "three members, converged");
            if (Want("rest"))
            {
                phases.Start("three nodes at rest");
                tables.Add(await RestAsync(cluster, TimeSpan.FromSeconds(counts.RestWindow), 6));
            }
            if (Want("latency"))
            {
                phases.Start("runtime path");
                tables.Add(await RuntimePathAsync(cluster, counts));
            }
            if (Want("reload"))
            {
                phases.Start("reload path");
                tables.Add(await ReloadPathAsync(cluster, counts));
            }
            if (Want("sustained"))
            {
                phases.Start("sustained changes");
                tables.AddRange(await SustainedAsync(cluster, counts));
            }
            phases.Start("stopping the three nodes");
        }
        if (Want("join"))
        {
            phases.Start("join: seeding");
            tables.Add(await JoinAsync(postgres, counts, phases));
        }
    }

    /// <summary>Every node sees <paramref name="members"/> members and reports every node converged.</summary>
    private static async Task<bool> ConvergedAsync(IEnumerable<NodeProcess> nodes, int members)
    {
        foreach (var node in nodes)
        {
            var status = await node.StatusAsync();
            if (status.GetProperty("cluster").GetProperty("members").GetArrayLength() != members
                || status.GetProperty("nodes").GetArrayLength() != members
                || !status.GetProperty("nodes").EnumerateArray().All(n => n.GetProperty("converged").GetBoolean()))
                return false;
        }
        return true;
    }

    private static string Backend(string name, string ip, int port, int servers = 1) =>
        $$"""{"name":"{{name}}","healthCheck":{"enabled":false},"servers":[{{string.Join(",", Enumerable.Range(0, servers).Select(s => $$"""{"name":"s{{s}}","ip":"{{ip}}","port":{{port + s}}}"""))}}]}""";

    /// <summary>
    /// Seeds new backends: a document answered 503 is sent again (at most four times more; what was
    /// stored the first time is then unchanged, so no version moves twice). New backends are slow to
    /// create on a loaded machine: a document of 300 outlasted the admin API's 10 s at load 12–30.
    /// Answers how many documents were sent again.
    /// </summary>
    private static async Task<int> SeedAsync(NodeProcess node, IEnumerable<string[]> documents)
    {
        var retried = 0;
        foreach (var document in documents)
            for (var attempt = 1; ; attempt++)
            {
                using var response = await node.PostJsonAsync("/api/backends", Document(document));
                if (response.IsSuccessStatusCode)
                    break;
                if (attempt == 5 || response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable)
                    throw new InvalidOperationException($"POST /api/backends: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                retried++;
            }
        return retried;
    }

    private static string Document(IEnumerable<string> backends) => $$"""{"backends":[{{string.Join(",", backends)}}]}""";

    /// <summary>The <paramref name="n"/>th of 62,500 loopback addresses under <paramref name="prefix"/> (e.g. "127.1").</summary>
    private static string Address(string prefix, long n) => $"{prefix}.{n / 250 % 250}.{n % 250 + 1}";

    /// <summary>Per backend in a node's status: its desired and applied versions (applied null until HAProxy serves it).</summary>
    private static IEnumerable<(string Name, long Desired, long? Applied)> Versions(JsonElement status) =>
        status.GetProperty("backends").EnumerateObject().Select(b => (b.Name, b.Value.GetProperty("desired").GetInt64(),
            b.Value.GetProperty("applied").ValueKind == JsonValueKind.Number ? b.Value.GetProperty("applied").GetInt64() : (long?)null));

    private static double RssMb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            // the process has gone
        }
        return double.NaN;
    }

    /// <summary>A process (or a tree) whose CPU time is read before and after a phase, in clock ticks (1/100 s).</summary>
    private sealed record CpuShare(string Name, Func<long> Ticks);

    /// <summary>Each node's own process, each node's HAProxy (master and workers), PostgreSQL (the postmaster and its backends), and this bench.</summary>
    private static async Task<List<CpuShare>> CpuSharesAsync(ClusterNodes cluster)
    {
        var shares = new List<CpuShare>();
        foreach (var (node, k) in cluster.Nodes.Select((node, k) => (node, k)))
        {
            var pid = node.ProcessId;
            var master = int.Parse(File.ReadAllText(node.Layout.PidFile).Trim(), CultureInfo.InvariantCulture);
            shares.Add(new($"node {k + 1}", () => OwnCpuTicks(pid)));
            shares.Add(new($"HAProxy {k + 1}", () => LoadTools.CpuTicks(master)));
        }
        var postmaster = await PostmasterAsync(cluster.ConnectionString);
        shares.Add(new("PostgreSQL", () => LoadTools.CpuTicks(postmaster)));
        shares.Add(new("bench", () => (long)(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds / 10)));
        return shares;
    }

    /// <summary>The pid of the PostgreSQL server behind <paramref name="connectionString"/>: the first line of its data dir's postmaster.pid.</summary>
    private static async Task<int> PostmasterAsync(string connectionString)
    {
        await using var db = new Npgsql.NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var show = db.CreateCommand();
        show.CommandText = "SHOW data_directory";
        var dataDir = (string)(await show.ExecuteScalarAsync())!;
        return int.Parse(File.ReadLines(Path.Combine(dataDir, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
    }

    /// <summary>utime + stime of one process, without its children.</summary>
    private static long OwnCpuTicks(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>n, p50, p99 and max of <paramref name="values"/>, for a table row.</summary>
    private static object[] Spread(IReadOnlyCollection<double> values) =>
        [values.Count, Stats.Median(values), Stats.Percentile(values, 99), values.DefaultIfEmpty(double.NaN).Max()];
}
