using System.Diagnostics;
using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// What the machine did during each phase of a run: its load average at the start, and the cores
/// used by this run (the bench and every process it started, reaped ones included, plus the
/// PostgreSQL it started) against the cores used by everything else (/proc/stat's busy time minus
/// ours). The load average alone misleads here: the nodes' own runnable threads raise it (a seeding
/// of 10,000 backends took it from 2 to 25 with nothing else running).
/// </summary>
public sealed class PhaseLog
{
    private readonly Table _table = new("Each phase: load average at its start (1 / 5 / 15 min), and the CPU used during it by this run and by other processes; 2 cores",
        "phase", "load average at start", "seconds", "this run (cores)", "other processes (cores)");
    private (string Name, string Load, long At, long Busy, long Ours)? _open;

    /// <summary>PostgreSQL's postmaster, once started: daemonized, so not in the bench's process tree.</summary>
    public int? Postmaster { get; set; }

    /// <summary>Closes the phase under way (if any) and opens <paramref name="name"/>.</summary>
    public void Start(string name)
    {
        Close();
        var load = string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        _open = (name, load, Stopwatch.GetTimestamp(), BusyTicks(), OurTicks());
        Console.WriteLine($"  {DateTime.Now:HH:mm:ss} {name} (load average {load})");
    }

    /// <summary>Closes the last phase and answers the table.</summary>
    public Table Finish()
    {
        Close();
        return _table;
    }

    private void Close()
    {
        if (_open is not { } open)
            return;
        var seconds = Stopwatch.GetElapsedTime(open.At).TotalSeconds;
        var (busy, ours) = (BusyTicks() - open.Busy, OurTicks() - open.Ours);
        _table.Add(open.Name, open.Load, seconds, ours / 100.0 / seconds, Math.Max(0, busy - ours) / 100.0 / seconds);
        _open = null;
    }

    /// <summary>The machine's busy time in clock ticks: /proc/stat's cpu line without idle and iowait.</summary>
    private static long BusyTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return fields.Sum() - fields[3] - fields[4] - (fields.Length > 8 ? fields[8] + fields[9] : 0); // guest time is already in user
    }

    private long OurTicks() => TreeTicks(Environment.ProcessId) + (Postmaster is { } pid ? TreeTicks(pid) : 0);

    /// <summary>utime, stime, cutime and cstime over a live process tree: a reaped child's time lives on in its parent's cutime.</summary>
    private static long TreeTicks(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            var total = Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    total += TreeTicks(int.Parse(child, CultureInfo.InvariantCulture));
            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // it exited while being read
        }
    }
}
