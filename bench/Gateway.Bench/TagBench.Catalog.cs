using System.Diagnostics;
using Akka.Streams;
using Gateway.Actors.Backends;
using Gateway.Actors.Persistence;
using Microsoft.Extensions.Hosting;

namespace Gateway.Bench;

public static partial class TagBench
{
    /// <summary>
    /// The backend catalog's read, both ways it reads (<see cref="CatalogReads"/>), side by side and
    /// interleaved: folding the tag (every event deserialized) against the newest event of each
    /// backend from the journal table. From offset 0 (a first start) and over the last tenth of the
    /// journal (a checkpoint, or a start after a crash). Wall time, and CPU of this process plus the
    /// PostgreSQL server's. Both must find the same backends at the same versions.
    /// </summary>
    private static async Task<Table> CatalogAsync(IReadOnlyList<TagStore> stores, IReadOnlyList<IHost> hosts, IReadOnlyList<int> written,
        int rounds, int postgresPort, Table? table = null)
    {
        table ??= new Table($"Backend catalog read ({Writers} backends): fold of the tag against the newest event of each backend, medians of {rounds} interleaved rounds",
            "database", "journal size", "read", "fold: ms", "fold: CPU ms", "newest: ms", "newest: CPU ms", "newest / fold: ms", "newest / fold: CPU");
        for (var s = 0; s < stores.Count; s++)
        {
            if (stores[s].Variant.Mode != Akka.Persistence.Sql.Config.TagMode.Csv)
                continue; // the node's mode
            var system = TagStore.System(hosts[s]);
            var reader = NewestEventsReader.For(system) ?? throw new InvalidOperationException($"{stores[s].Name} is not on Gateway's journal");
            var query = TagStore.ReadJournal(hosts[s]);
            var materializer = system.Materializer();
            var end = await stores[s].MaxOrderingAsync();
            int? port = stores[s].IsSqlite ? null : postgresPort;
            foreach (var (name, offset) in new[] { ("from 0", 0L), ("last tenth", end - written[s] / 10) })
            {
                var fold = new List<(double Ms, double Cpu)>();
                var newest = new List<(double Ms, double Cpu)>();
                for (var round = 0; round < rounds; round++)
                {
                    var cutoff = DateTime.UtcNow;
                    async Task<CatalogRead> Fold() => await CatalogReads.FoldTagAsync(query, offset, cutoff, materializer);
                    async Task<CatalogRead> Newest() => await CatalogReads.NewestAsync(reader, offset, cutoff, CancellationToken.None);
                    // one at a time, alternating which goes first
                    var first = round % 2 == 0 ? await Timed(Fold, port) : await Timed(Newest, port);
                    var second = round % 2 == 0 ? await Timed(Newest, port) : await Timed(Fold, port);
                    var (f, n) = round % 2 == 0 ? (first, second) : (second, first);
                    if (!f.Read.Latest.OrderBy(e => e.Name).SequenceEqual(n.Read.Latest.OrderBy(e => e.Name)) || f.Read.SafeOffset != n.Read.SafeOffset)
                        throw new InvalidOperationException($"{stores[s].Name} {name}: the fold and the newest events disagree ({f.Read.Latest.Count} / {n.Read.Latest.Count} backends, offsets {f.Read.SafeOffset} / {n.Read.SafeOffset})");
                    fold.Add((f.Ms, f.Cpu));
                    newest.Add((n.Ms, n.Cpu));
                }
                var (foldMs, foldCpu, newestMs, newestCpu) = (Stats.Median(fold.Select(r => r.Ms)), Stats.Median(fold.Select(r => r.Cpu)),
                    Stats.Median(newest.Select(r => r.Ms)), Stats.Median(newest.Select(r => r.Cpu)));
                table.Add(stores[s].Database, written[s], name, foldMs, foldCpu, newestMs, newestCpu,
                    $"{newestMs / foldMs:0.000}×", $"{newestCpu / foldCpu:0.000}×");
                Console.WriteLine($"  catalog {stores[s].Name} {name}: fold {foldMs:0} ms, newest {newestMs:0} ms");
            }
        }
        return table;
    }

    private static async Task<(CatalogRead Read, double Ms, double Cpu)> Timed(Func<Task<CatalogRead>> read, int? postgresPort)
    {
        var cpu = CpuMs(postgresPort);
        var started = Stopwatch.GetTimestamp();
        var result = await read();
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (result, ms, CpuMs(postgresPort) - cpu);
    }
}
