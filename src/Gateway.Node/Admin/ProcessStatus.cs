using System.Diagnostics;

namespace Gateway.Node.Admin;

/// <summary>
/// <c>process</c> in <c>/api/status</c>: this node's memory and threads, so an operator (or the bench)
/// can tell whether memory settles under a stream of changes. <c>liveHeapBytes</c> is what the newest
/// gen2 collection kept (the data the node holds); <c>heapBytes</c> and <c>committedBytes</c> what the
/// GC holds and has committed since its newest collection; <c>rssBytes</c> the whole process.
/// </summary>
public static class ProcessStatus
{
    public sealed record Memory(long RssBytes, long LiveHeapBytes, long HeapBytes, long CommittedBytes, long AllocatedBytes,
        int Gen0Collections, int Gen1Collections, int Gen2Collections, int Threads, double UptimeSeconds);

    public static Memory Sample()
    {
        var any = GC.GetGCMemoryInfo(GCKind.Any);
        // a gen2 is either blocking or background: the newer of the two says what survived it
        var (blocking, background) = (GC.GetGCMemoryInfo(GCKind.FullBlocking), GC.GetGCMemoryInfo(GCKind.Background));
        var gen2 = blocking.Index >= background.Index ? blocking : background;
        using var self = Process.GetCurrentProcess();
        return new Memory(
            Environment.WorkingSet,
            gen2.Index == 0 ? 0 : gen2.HeapSizeBytes - gen2.FragmentedBytes,
            any.HeapSizeBytes,
            any.TotalCommittedBytes,
            GC.GetTotalAllocatedBytes(),
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            self.Threads.Count,
            (DateTime.Now - self.StartTime).TotalSeconds);
    }
}
