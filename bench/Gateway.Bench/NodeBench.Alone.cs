using System.Diagnostics;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Testing;
using Microsoft.Data.Sqlite;

namespace Gateway.Bench;

/// <summary>
/// A change made alone, as a deploy moving one server makes it: the node (and the bench) were idle
/// for 50–100 ms before it. Beside it, in the same run: changes streamed back to back, and the
/// floors a durable change cannot beat, taken between the lone changes on the same disk.
/// </summary>
public static partial class NodeBench
{
    private static readonly TimeSpan AloneBudget = TimeSpan.FromSeconds(40);

    private sealed class AloneSamples
    {
        public List<double> StreamedAccepted { get; } = [];
        public List<double> StreamedLive { get; } = [];
        public List<double> AloneAccepted { get; } = [];
        public List<double> AloneLive { get; } = [];
        public List<double> Unchanged { get; } = [];
        public List<double> Healthz { get; } = [];
        public List<double> KestrelFloor { get; } = [];
        public List<double> Fsync { get; } = [];
        public List<double> SqliteInsert { get; } = [];
    }

    internal static async Task<Table> AloneAsync(IReadOnlyList<NodeBuild> builds, int rounds, int warmUp, int streamed, int alone)
    {
        var samples = builds.ToDictionary(b => b.Name, _ => new AloneSamples());
        for (var round = 1; round <= rounds; round++)
            foreach (var build in builds)
                await AloneRoundAsync(build, samples[build.Name], warmUp, streamed, alone);

        var table = new Table($"A change alone (changes 50–100 ms apart, at most {alone} in {AloneBudget.TotalSeconds:0} s) beside changes streamed back to back "
            + $"({streamed}), after {warmUp} changes of warm-up; {rounds} round(s) per build, samples pooled",
            "measure", "n", "p50 ms", "p99 ms", "max ms");
        void Add(string what, List<double> values) =>
            table.Add(what, values.Count, Stats.Median(values), Stats.Percentile(values, 99), values.DefaultIfEmpty(double.NaN).Max());
        foreach (var build in builds)
        {
            var s = samples[build.Name];
            Add($"{build.Name}: alone, PUT answered (stored)", s.AloneAccepted);
            Add($"{build.Name}: alone, PUT → `show servers state` shows it", s.AloneLive);
            Add($"{build.Name}: alone, the same PUT again, unchanged (answered without a write: HTTP, validation, actor hops)", s.Unchanged);
            Add($"{build.Name}: alone, GET /healthz (HTTP alone: no body, no actor)", s.Healthz);
            Add($"{build.Name}: streamed, PUT answered (stored)", s.StreamedAccepted);
            Add($"{build.Name}: streamed, PUT → `show servers state` shows it", s.StreamedLive);
        }
        Add("floor: a minimal Kestrel app's answer (GET, no routing, no middleware; a process of its own, server GC) after the same rest",
            samples.Values.SelectMany(s => s.KestrelFloor).ToList());
        Add("floor: 100 B appended + fsync, in the node's data dir (between lone changes)", samples.Values.SelectMany(s => s.Fsync).ToList());
        Add("floor: one-row SQLite insert, WAL, synchronous=FULL, own connection (between lone changes)",
            samples.Values.SelectMany(s => s.SqliteInsert).ToList());
        return table;
    }

    private static async Task AloneRoundAsync(NodeBuild build, AloneSamples samples, int warmUp, int streamed, int alone)
    {
        using var dir = new TempDir("gwb");
        await using var node = await StartNodeAsync(dir, build);
        await using var kestrel = await KestrelFloor.StartAsync();
        await node.PutOkAsync("/api/backends/lat?wait=true", Backend("lat", "127.0.0.1", 20000));
        await using var cli = new RuntimeApiClient(node.Layout.RuntimeSocket);
        var n = 0;
        for (var i = 0; i < warmUp; i++)
            await ChangeAsync(node, cli, ++n);
        for (var i = 0; i < streamed; i++)
        {
            var (accepted, live) = await ChangeAsync(node, cli, ++n);
            samples.StreamedAccepted.Add(accepted);
            samples.StreamedLive.Add(live);
        }

        await using var fsyncFile = new FileStream(Path.Combine(dir.Path, "fsync-floor.bin"), FileMode.Append, FileAccess.Write, FileShare.Read, 1);
        await using var sqlite = OpenFloorDatabase(Path.Combine(dir.Path, "floor.db"));
        using var insert = sqlite.CreateCommand();
        insert.CommandText = "INSERT INTO floor (payload) VALUES ($payload)";
        var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
        var record = new byte[100];
        var random = new Random(42);
        var budget = Stopwatch.StartNew();
        for (var i = 0; i < alone && budget.Elapsed < AloneBudget; i++)
        {
            await Task.Delay(random.Next(50, 101));
            var (accepted, live) = await ChangeAsync(node, cli, ++n);
            samples.AloneAccepted.Add(accepted);
            samples.AloneLive.Add(live);

            // the floors, each after a pause too, so they start from the same rest as a change
            await Task.Delay(random.Next(20, 41));
            var started = Stopwatch.GetTimestamp();
            await node.PutOkAsync("/api/backends/lat", Backend("lat", Ip(n), 20000));
            samples.Unchanged.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await Task.Delay(random.Next(20, 41));
            started = Stopwatch.GetTimestamp();
            using (var healthz = await node.Admin.GetAsync("/healthz"))
                healthz.EnsureSuccessStatusCode();
            samples.Healthz.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await Task.Delay(random.Next(20, 41));
            started = Stopwatch.GetTimestamp();
            using (var floor = await kestrel.Client.GetAsync("/"))
                floor.EnsureSuccessStatusCode();
            samples.KestrelFloor.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await Task.Delay(random.Next(20, 41));
            started = Stopwatch.GetTimestamp();
            fsyncFile.Write(record);
            fsyncFile.Flush(flushToDisk: true);
            samples.Fsync.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await Task.Delay(random.Next(20, 41));
            started = Stopwatch.GetTimestamp();
            payload.Value = record;
            insert.ExecuteNonQuery();
            samples.SqliteInsert.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static SqliteConnection OpenFloorDatabase(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var setup = connection.CreateCommand();
        setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);";
        setup.ExecuteNonQuery();
        return connection;
    }
}
