using System.Diagnostics;

namespace Gateway.Bench;

/// <summary>
/// The three nodes at rest, right after they started and converged with nothing to do: each node's
/// own CPU (without its HAProxy) in consecutive windows. What they spend here, the changes measured
/// next share the two cores with.
/// </summary>
public static partial class ClusterBench
{
    private static async Task<Table> RestAsync(ClusterNodes cluster, TimeSpan window, int windows)
    {
        var nodes = cluster.Nodes;
        var table = new Table($"The three nodes at rest after they started (no backends): each node's own CPU in windows of {window.TotalSeconds:0} s",
            ["window (s after converged)", .. nodes.Select((_, k) => $"node {k + 1} (cores)")]);
        var clock = Stopwatch.StartNew();
        for (var w = 0; w < windows; w++)
        {
            var before = nodes.Select(n => OwnCpuTicks(n.ProcessId)).ToList();
            var started = clock.Elapsed;
            await Task.Delay(window);
            var seconds = (clock.Elapsed - started).TotalSeconds;
            table.Add([$"{started.TotalSeconds:0}–{clock.Elapsed.TotalSeconds:0}",
                .. nodes.Select((n, k) => (object)((OwnCpuTicks(n.ProcessId) - before[k]) / 100.0 / seconds))]);
        }
        return table;
    }
}
