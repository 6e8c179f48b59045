using System.Globalization;
using Gateway.Actors.Haproxy;
using Gateway.Testing;

namespace Gateway.Bench;

/// <summary>
/// A run stopped by a signal: the handler kills the cluster nodes (and the HAProxies they leave
/// serving), every other process the bench started, and stops PostgreSQL, while the phase under way
/// fails on its dead nodes and waits for that cleanup before it ends the process.
/// </summary>
public static partial class ClusterBench
{
    private static PostgresServer? _postgres;

    private static int _aborting;
    private static readonly ManualResetEventSlim AbortDone = new();

    private static bool Aborting => Volatile.Read(ref _aborting) == 1;

    /// <summary>Ctrl-C, SIGTERM or SIGHUP: kill every node and HAProxy and whatever else this bench started, stop PostgreSQL.</summary>
    private static void Abort()
    {
        if (Interlocked.Exchange(ref _aborting, 1) == 1)
            return;
        try
        {
            Stop();
        }
        finally
        {
            AbortDone.Set();
        }
    }

    private static void Stop()
    {
        Console.WriteLine($"  {DateTime.Now:HH:mm:ss} stopped by a signal: killing {ClusterNodes.AbortAll()} cluster node(s) and their HAProxies, "
            + $"{KillDescendants()} other process(es) this bench started, stopping PostgreSQL");
        try
        {
            if (Interlocked.Exchange(ref _postgres, null) is { } postgres)
                postgres.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(20));
        }
        catch (Exception e)
        {
            Console.WriteLine($"  stopping PostgreSQL: {e.GetBaseException().Message}");
        }
    }

    /// <summary>SIGKILL to every process under this one (the baseline's node and its HAProxy included); answers how many.</summary>
    private static int KillDescendants()
    {
        var pids = new List<int>();
        void Collect(int pid)
        {
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                    foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        var id = int.Parse(child, CultureInfo.InvariantCulture);
                        pids.Add(id);
                        Collect(id);
                    }
            }
            catch (IOException)
            {
                // it exited meanwhile
            }
        }
        Collect(Environment.ProcessId);
        foreach (var pid in pids)
            Posix.Signal(pid, Posix.SIGKILL);
        return pids.Count;
    }

}
