using System.Diagnostics;
using System.Globalization;
using Gateway.Testing;

namespace Gateway.Bench;

/// <summary>
/// A node at rest: 1,000 backends (health checks off, so HAProxy's share is its own rest, not
/// checks), every change applied and settled, then nothing for a while. CPU from /proc (utime +
/// stime) of the node and of HAProxy (master and workers), and how often the node's threads woke.
/// </summary>
public static partial class NodeBench
{
    /// <summary>Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    private static async Task<Table> IdleAsync(IReadOnlyList<NodeBuild> builds, int backends, TimeSpan window)
    {
        var table = new Table($"At rest: {backends} backends (health checks off), no traffic, no changes: two windows of {window.TotalSeconds:0} s, "
            + "the first once all were applied and 10 s passed (the JIT's tiering still settles), the second right after it",
            "measure", "node (cores)", "node thread wake-ups/s", "HAProxy master + workers (cores)");
        foreach (var build in builds)
        {
            var windows = await IdleOnceAsync(build, backends, window);
            for (var i = 0; i < windows.Count; i++)
                table.Add([$"{build.Name}, window {i + 1}", .. windows[i]]);
        }
        return table;
    }

    private static async Task<IReadOnlyList<object[]>> IdleOnceAsync(NodeBuild build, int backends, TimeSpan window)
    {
        using var dir = new TempDir("gwb");
        await using var node = await StartNodeAsync(dir, build);
        await SeedAsync(node, backends, i => Backend($"idle{i:D4}", $"127.3.{i / 250 % 250}.{i % 250 + 1}", 20000));
        await WaitAllAppliedAsync(node, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(10)); // the reload, the config write and the bench's own requests settle

        var haproxy = HaproxyPids(node);
        var windows = new List<object[]>();
        for (var i = 0; i < 2; i++)
        {
            var (nodeBefore, wakeBefore, haproxyBefore) = (CpuTicks([node.ProcessId]), Wakeups(node.ProcessId), CpuTicks(haproxy));
            var clock = Stopwatch.StartNew();
            await Task.Delay(window);
            var seconds = clock.Elapsed.TotalSeconds;
            var (nodeAfter, wakeAfter, haproxyAfter) = (CpuTicks([node.ProcessId]), Wakeups(node.ProcessId), CpuTicks(haproxy));
            windows.Add(
            [
                Cores(nodeAfter - nodeBefore, seconds),
                WakeupsBetween(wakeBefore, wakeAfter) / seconds,
                Cores(haproxyAfter - haproxyBefore, seconds),
            ]);
        }
        return windows;
    }

    private static string Cores(long ticks, double seconds) => (ticks / TicksPerSecond / seconds).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>HAProxy's master (its pid file) and its workers (the master's children).</summary>
    private static IReadOnlyList<int> HaproxyPids(NodeProcess node)
    {
        var master = int.Parse(File.ReadAllText(node.Layout.PidFile).Trim(), CultureInfo.InvariantCulture);
        var workers = Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => Stat(pid) is { } stat && stat[1] == master.ToString(CultureInfo.InvariantCulture));
        return [master, .. workers];
    }

    /// <summary>utime + stime of these processes, in clock ticks.</summary>
    private static long CpuTicks(IEnumerable<int> pids) =>
        pids.Sum(pid => Stat(pid) is { } stat ? long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture) : 0);

    /// <summary>/proc/&lt;pid&gt;/stat's fields after the command name (field 3, state, is index 0; ppid 1; utime 11; stime 12).</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Context switches of the process's threads between two readings (each is a thread that went
    /// to sleep or was preempted): threads alive at the second, counted from the first or from their
    /// start. A thread that ended in between is not counted (the thread pool retires idle workers),
    /// so the figure may undercount; summing the totals instead went negative when one ended.
    /// </summary>
    private static long WakeupsBetween(IReadOnlyDictionary<int, long> before, IReadOnlyDictionary<int, long> after) =>
        after.Sum(thread => thread.Value - before.GetValueOrDefault(thread.Key));

    /// <summary>Each thread's context switches so far, by thread id.</summary>
    private static Dictionary<int, long> Wakeups(int pid)
    {
        var threads = new Dictionary<int, long>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                long total = 0;
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        total += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = total;
            }
            catch (IOException)
            {
                // the thread ended
            }
        }
        return threads;
    }
}
