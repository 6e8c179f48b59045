using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Gateway.Actors.Backends;
using Microsoft.Extensions.Hosting;

namespace Gateway.Bench;

public static partial class TagBench
{
    /// <summary>The live tail's two clocks: the stream polls the tag every refresh-interval, up to the highest ordering the read journal's ordering tracker has seen, which it looks for every query-delay.</summary>
    private sealed record LiveSetting(TimeSpan Refresh, TimeSpan QueryDelay)
    {
        public string Name => $"{Ms(Refresh)} / {Ms(QueryDelay)}";

        public string Hocon => $"akka.persistence.query.journal.sql {{ refresh-interval = {Refresh.TotalMilliseconds}ms, journal-sequence-retrieval.query-delay = {QueryDelay.TotalMilliseconds}ms }}";

        /// <summary>Queries per second on an idle journal: the tag poll and the ordering poll.</summary>
        public double PollsPerSecond => 1 / Refresh.TotalSeconds + 1 / QueryDelay.TotalSeconds;

        private static string Ms(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0} s" : $"{t.TotalMilliseconds:0} ms";
    }

    private static readonly LiveSetting[] LiveSettings =
    [
        new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)),
        new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)),
        new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)),
    ];

    private const int LiveSamplesPerRound = 6;

    /// <summary>
    /// For each store and setting, a fresh actor system (another node) tails the tag from the end:
    /// events persisted one at a time by the store's own system, each timed from its persist handler
    /// to the tail.
    /// </summary>
    private static async Task<Table> LiveAsync(IReadOnlyList<TagStore> stores, IReadOnlyList<IHost> hosts, long[] lastOffsets, int rounds)
    {
        var random = new Random(9);
        var liveWriters = hosts.Select(h => TagStore.System(h).ActorOf(TagWriterActor.Props("live"), "live-writer")).ToList();
        var latency = stores.Select(_ => LiveSettings.Select(_ => new List<double>()).ToList()).ToList();
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < stores.Count; k++)
            {
                var s = (k + round) % stores.Count;
                for (var i = 0; i < LiveSettings.Length; i++)
                {
                    var setting = LiveSettings[i];
                    var host = await stores[s].StartAsync(setting.Hocon);
                    try
                    {
                        var seen = new ConcurrentDictionary<long, TaskCompletionSource<long>>();
                        TaskCompletionSource<long> Seen(long sequenceNr) => seen.GetOrAdd(sequenceNr, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
                        var livePid = BackendActor.PersistencePrefix + "live";
                        _ = TagStore.ReadJournal(host).EventsByTag(BackendActor.Tag, Offset.Sequence(lastOffsets[s]))
                            .RunForeach(e =>
                            {
                                if (e.PersistenceId == livePid)
                                    Seen(e.SequenceNr).TrySetResult(Stopwatch.GetTimestamp());
                                InterlockedMax(ref lastOffsets[s], ((Sequence)e.Offset).Value);
                            }, TagStore.System(host).Materializer());
                        await SampleAsync(liveWriters[s], Seen, TimeSpan.FromSeconds(60)); // the tail is running and caught up
                        for (var n = 0; n < LiveSamplesPerRound; n++)
                        {
                            var longest = setting.Refresh > setting.QueryDelay ? setting.Refresh : setting.QueryDelay;
                            await Task.Delay(longest * (0.2 + 0.8 * random.NextDouble())); // not in step with the polls
                            latency[s][i].Add(await SampleAsync(liveWriters[s], Seen, TimeSpan.FromSeconds(30)));
                        }
                    }
                    finally
                    {
                        await host.StopAsync();
                        host.Dispose();
                    }
                }
                Console.WriteLine($"  live round {round + 1} of {rounds}: {stores[s].Name} done");
            }
        }
        var table = new Table($"Live EventsByTag(\"gateway\") on another actor system, from the end: persist handler → envelope in the tail, {rounds * LiveSamplesPerRound} events one at a time, {rounds} interleaved rounds",
            "database / tag mode", "refresh-interval / query-delay", "p50 ms", "p90 ms", "max ms", "queries/s when idle");
        for (var s = 0; s < stores.Count; s++)
            for (var i = 0; i < LiveSettings.Length; i++)
                table.Add(stores[s].Name, LiveSettings[i].Name, Stats.Median(latency[s][i]), Stats.Percentile(latency[s][i], 90), latency[s][i].Max(),
                    LiveSettings[i].PollsPerSecond);
        return table;
    }

    /// <summary>Persists one event and waits for the tail to deliver it: ms from its persist handler to the tail.</summary>
    private static async Task<double> SampleAsync(IActorRef writer, Func<long, TaskCompletionSource<long>> seen, TimeSpan timeout)
    {
        var written = await writer.Ask<TagWriterActor.Written>(new TagWriterActor.Write(1), TimeSpan.FromSeconds(30));
        var seenAt = await seen(written.SequenceNr).Task.WaitAsync(timeout);
        return Stopwatch.GetElapsedTime(written.StoredAt, seenAt).TotalMilliseconds;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var previous = Interlocked.CompareExchange(ref target, value, current);
            if (previous == current)
                return;
            current = previous;
        }
    }

    /// <summary>CPU used so far, in ms: this process, and the PostgreSQL server's processes when a port is given.</summary>
    private static double CpuMs(int? postgresPort) =>
        Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds + (postgresPort is { } port ? PostgresCpuMs(port) : 0);

    /// <summary>
    /// CPU of the postmaster listening on <paramref name="port"/> and its children (from /proc, in
    /// clock ticks of 10 ms), including children that have exited and been waited for.
    /// </summary>
    private static double PostgresCpuMs(int port)
    {
        var stats = new List<(int Pid, int Parent, long[] Fields, string CommandLine)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from the 3rd (state) on
                var numbers = fields.Skip(1).Take(15).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
                stats.Add((pid, (int)numbers[0], numbers, File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ')));
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        var postmaster = stats.FirstOrDefault(p => p.CommandLine.Contains("/postgres ", StringComparison.Ordinal) && p.CommandLine.Contains($" -p {port} ", StringComparison.Ordinal));
        if (postmaster.Pid == 0)
            throw new InvalidOperationException($"no postmaster on port {port}");
        // numbers[i] is stat field i + 4: utime 14, stime 15, cutime 16, cstime 17
        long Ticks(long[] n, bool withChildren) => n[10] + n[11] + (withChildren ? n[12] + n[13] : 0);
        var ticks = Ticks(postmaster.Fields, true) + stats.Where(p => p.Parent == postmaster.Pid).Sum(p => Ticks(p.Fields, false));
        return ticks * 10.0;
    }
}
