using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Config;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Actors.Backends;
using Gateway.Testing;
using Microsoft.Extensions.Hosting;

namespace Gateway.Bench;

/// <summary>
/// Issue 9 §1: the journal's <c>gateway</c> tag read back with Csv against TagTable tag storage, on
/// SQLite (WAL file) and PostgreSQL 15 (throwaway, loopback). Every store holds the same events
/// written by the same persistent actors; reads are interleaved across the stores over rounds, and
/// medians reported: a full <c>CurrentEventsByTag</c>, the last 100 events (a node restarting from
/// its catalog checkpoint, warm and on a fresh actor system), the live <c>EventsByTag</c> tail's
/// latency and its CPU cost on an idle journal, and the write rate of each mode.
/// </summary>
public static partial class TagBench
{
    private const int Writers = 200;
    private const int TailEvents = 100;
    private const int WriteChunk = 10_000;
    private const int PollSamples = 30;

    /// <summary>Writing stops here per store (issue 9: about 2 minutes per case), whatever size it reached.</summary>
    private static readonly TimeSpan WriteBudget = TimeSpan.FromMinutes(2);

    /// <summary>A full read that takes longer is cut here and reported with the events it had read.</summary>
    private static readonly TimeSpan FullReadCap = TimeSpan.FromSeconds(30);

    private static readonly TagVariant[] DefaultVariants =
    [
        new("Csv", TagMode.Csv),
        new("TagTable", TagMode.TagTable),
    ];

    /// <summary>TagTable with 1.5.73's bulk insert of journal rows with their tag rows (off by default: row by row).</summary>
    private static readonly TagVariant Inline = new("TagTable+inline", TagMode.TagTable,
        "akka.persistence.journal.sql.tagtable-asqueryable-insert-mode = inline");

    /// <param name="sizes">Journal sizes to measure at, ascending: each store is written up to the next size.</param>
    /// <param name="rounds">Interleaved rounds of reads at each size.</param>
    /// <param name="parts">write (always), read, live, catalog; inline adds the TagTable bulk-insert variant (all but inline when empty).</param>
    public static async Task<IReadOnlyList<Table>> RunAsync(IReadOnlyList<int> sizes, int rounds, IReadOnlySet<string> parts)
    {
        bool Want(string part) => parts.Count == 0 || parts.Contains(part);
        // the catalog reads the node's mode (Csv) only: alone, it writes no other
        var variants = parts.Contains("inline") ? [.. DefaultVariants, Inline] : parts.SetEquals(["catalog"]) ? DefaultVariants[..1] : DefaultVariants;
        using var dir = new TempDir("gwtag");
        await using var postgres = await PostgresServer.StartAsync();
        var stores = new List<TagStore>();
        foreach (var variant in variants)
            stores.Add(TagStore.Sqlite(dir.Path, variant));
        foreach (var variant in variants)
            stores.Add(await TagStore.PostgresAsync(postgres.ConnectionString, variant, maxPoolSize: 80 / variants.Length));

        var hosts = new List<IHost>();
        try
        {
            foreach (var store in stores)
                hosts.Add(await store.StartAsync());
            var sample = new Gateway.Shared.Messages.BackendChanged(TagWriterActor.Definition("b0000", 1), "bench");
            var payloadBytes = TagStore.System(hosts[0]).Serialization.FindSerializerFor(sample).ToBinary(sample).Length;
            var writers = hosts.Select(host => Enumerable.Range(0, Writers)
                .Select(i => TagStore.System(host).ActorOf(TagWriterActor.Props($"b{i:D4}"), $"writer-{i}")).ToList()).ToList();

            var writeTable = new Table($"Write rate: {Writers} persistent actors persisting one tagged event at a time each (a burst of changes), until the journal holds the size; payload {payloadBytes} bytes",
                "database / tag mode", "journal size", "events written", "events/s", "on disk (MB)");
            var readTable = new Table($"CurrentEventsByTag(\"gateway\"): medians of {rounds} interleaved rounds (min–max)",
                "database / tag mode", "journal size", "offset 0 → end: ms", "events/s", $"last {TailEvents}, warm: ms", $"last {TailEvents}, fresh actor system: ms");
            var lastOffsets = new long[stores.Count];
            var written = new int[stores.Count];
            var writeSeconds = new double[stores.Count];
            var polls = new Table($"An empty tag poll: CurrentEventsByTag from the end, {PollSamples} back to back on a warm system (what the live tail and a catalog checkpoint on a quiet journal pay)",
                "database / tag mode", "journal size", "wall ms per poll", "CPU µs per poll (bench process, + PostgreSQL server)");
            Table? catalogTable = null;
            foreach (var size in sizes)
            {
                for (var s = 0; s < stores.Count; s++)
                {
                    // In chunks of 10,000, so a slow mode stops at the write budget with a size to report.
                    var before = written[s];
                    var started = Stopwatch.GetTimestamp();
                    while (written[s] < size && writeSeconds[s] + Stopwatch.GetElapsedTime(started).TotalSeconds < WriteBudget.TotalSeconds)
                    {
                        var perWriter = Math.Min(WriteChunk, size - written[s]) / Writers;
                        await Task.WhenAll(writers[s].Select(w => w.Ask<TagWriterActor.Written>(new TagWriterActor.Write(perWriter), TimeSpan.FromMinutes(3))));
                        written[s] += perWriter * Writers;
                    }
                    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    writeSeconds[s] += seconds;
                    if (written[s] > before)
                        writeTable.Add(stores[s].Name, written[s], written[s] - before, (written[s] - before) / seconds, await stores[s].SizeBytesAsync() / 1e6);
                    if (written[s] < size)
                        Console.WriteLine($"  {stores[s].Name}: write budget of {WriteBudget.TotalSeconds:0} s spent at {written[s]} events");
                    Console.WriteLine($"  wrote {written[s] - before} to {stores[s].Name} in {seconds:0.0} s");
                }
                if (Want("catalog"))
                    catalogTable = await CatalogAsync(stores, hosts, written, rounds, postgres.Port, catalogTable);
                if (!Want("read"))
                    continue;

                var full = stores.Select(_ => new List<(double Ms, long Events)>()).ToList();
                var warm = stores.Select(_ => new List<double>()).ToList();
                var cold = stores.Select(_ => new List<double>()).ToList();
                for (var s = 0; s < stores.Count; s++)
                {
                    lastOffsets[s] = await stores[s].MaxOrderingAsync();
                    await ReadAsync(hosts[s], lastOffsets[s] - TailEvents, expect: TailEvents); // warm-up
                }
                for (var round = 0; round < rounds; round++)
                {
                    for (var k = 0; k < stores.Count; k++)
                    {
                        var s = (k + round) % stores.Count; // rotated, so no store always reads first
                        var read = await ReadAsync(hosts[s], 0, cap: FullReadCap);
                        full[s].Add((read.Ms, read.Events));
                        warm[s].Add((await ReadAsync(hosts[s], lastOffsets[s] - TailEvents, expect: TailEvents)).Ms);
                        cold[s].Add(await ColdTailAsync(stores[s], lastOffsets[s] - TailEvents));
                    }
                    Console.WriteLine($"  size {size}: read round {round + 1} of {rounds} done");
                }
                for (var s = 0; s < stores.Count; s++)
                {
                    var ms = full[s].Select(r => r.Ms).ToList();
                    var complete = full[s].All(r => r.Events == written[s]);
                    readTable.Add(stores[s].Name, written[s],
                        complete ? Spread(ms) : $"stopped at the {FullReadCap.TotalSeconds:0} s cap: {Format(full[s].Select(r => (double)r.Events).Min())}–{Format(full[s].Select(r => (double)r.Events).Max())} events read",
                        Stats.Median(full[s].Select(r => r.Events / r.Ms * 1000)), Spread(warm[s]), Spread(cold[s]));
                    var (pollMs, pollCpuUs) = await PollCostAsync(hosts[s], lastOffsets[s], stores[s].IsSqlite ? null : postgres.Port);
                    polls.Add(stores[s].Name, written[s], pollMs, pollCpuUs);
                }
            }
            var tables = new List<Table> { writeTable };
            if (catalogTable is not null)
                tables.Add(catalogTable);
            if (Want("read"))
                tables.AddRange([readTable, polls]);
            if (Want("live"))
            {
                for (var s = 0; s < stores.Count; s++)
                    lastOffsets[s] = await stores[s].MaxOrderingAsync();
                tables.Add(await LiveAsync(stores, hosts, lastOffsets, rounds: Math.Min(rounds, 3)));
            }
            return tables;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
    }

    /// <summary>"median (min–max)" in ms.</summary>
    private static string Spread(IReadOnlyCollection<double> ms) =>
        FormattableString.Invariant($"{Format(Stats.Median(ms))} ({Format(ms.Min())}–{Format(ms.Max())})");

    private static string Format(double ms) => ms >= 100 ? ms.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
        : ms.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads the tag from <paramref name="offset"/> to the end: how long, how many events, the last offset.</summary>
    private static async Task<(double Ms, long Events, long Last)> ReadAsync(IHost host, long offset, int? expect = null, TimeSpan? cap = null)
    {
        var readJournal = TagStore.ReadJournal(host);
        var started = Stopwatch.GetTimestamp();
        var source = readJournal.CurrentEventsByTag(BackendActor.Tag, offset == 0 ? Offset.NoOffset() : Offset.Sequence(offset));
        var (events, last) = await (cap is { } within ? source.TakeWithin(within) : source)
            .RunAggregate((Events: 0L, Last: 0L), (acc, e) => (acc.Events + 1, ((Sequence)e.Offset).Value), TagStore.System(host).Materializer());
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (expect is { } expected && events != expected)
            throw new InvalidOperationException($"read {events} events from offset {offset}, expected {expected}");
        return (ms, events, last);
    }

    /// <summary>
    /// A node restarting: a fresh actor system reads the last events from its checkpoint. Timed from
    /// asking for the read journal (whose constructor starts the ordering tracker) to the last event.
    /// </summary>
    private static async Task<double> ColdTailAsync(TagStore store, long offset)
    {
        var host = await store.StartAsync();
        try
        {
            var started = Stopwatch.GetTimestamp();
            var readJournal = TagStore.ReadJournal(host);
            var events = await readJournal.CurrentEventsByTag(BackendActor.Tag, Offset.Sequence(offset))
                .RunAggregate(0, (n, _) => n + 1, TagStore.System(host).Materializer());
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (events != TailEvents)
                throw new InvalidOperationException($"a fresh system read {events} events from offset {offset}, expected {TailEvents}");
            return ms;
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    /// <summary>
    /// Empty reads of the tag from the end, back to back: wall time and CPU per read (this process,
    /// and the PostgreSQL server's processes when a port is given). Each is what one poll of the live
    /// tail costs on a quiet journal, plus the read of the highest ordering a current query starts with.
    /// </summary>
    private static async Task<(double Ms, double CpuUs)> PollCostAsync(IHost host, long end, int? postgresPort)
    {
        await ReadAsync(host, end, expect: 0);
        var cpu = CpuMs(postgresPort);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < PollSamples; i++)
            await ReadAsync(host, end, expect: 0);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (ms / PollSamples, (CpuMs(postgresPort) - cpu) * 1000 / PollSamples);
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
