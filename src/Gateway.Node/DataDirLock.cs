namespace Gateway.Node;

/// <summary>
/// One node per data dir. A second node started on the same dir (a systemd unit's node and one
/// started by hand to look at something) became ready beside the first: it adopted the first's
/// HAProxy and wrote to the same journal, two controllers of one HAProxy, each syncing its own view.
/// The node holds an exclusive lock on <c>node.lock</c> in the data dir while it runs (an advisory
/// <c>flock</c>, released by the kernel when the process ends, however it ends: no stale lock), and
/// writes its pid to <c>node.pid</c> beside it, so a second node can say which process holds it.
/// </summary>
public sealed class DataDirLock : IDisposable
{
    /// <summary>
    /// The HResult of the <see cref="IOException"/> when the lock is held: flock's EWOULDBLOCK (11) on Linux,
    /// ERROR_SHARING_VIOLATION on Windows; not another failure, such as a read-only mount.
    /// </summary>
    private static readonly int[] Held = [11, unchecked((int)0x80070020)];

    private readonly FileStream _lock;

    private DataDirLock(FileStream held) => _lock = held;

    /// <summary>Takes the lock on <paramref name="dataDir"/> (created if need be).</summary>
    /// <exception cref="DataDirInUseException">Another process holds it.</exception>
    public static DataDirLock Take(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, "node.lock");
        FileStream held;
        try
        {
            // .NET takes flock(LOCK_EX | LOCK_NB) for FileShare.None on Unix
            held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (Held.Contains(e.HResult))
        {
            throw new DataDirInUseException(dataDir, Holder(dataDir));
        }
        File.WriteAllText(Path.Combine(dataDir, "node.pid"), $"{Environment.ProcessId}\n");
        return new DataDirLock(held);
    }

    /// <summary>The pid the holder wrote, if it can be read.</summary>
    private static int? Holder(string dataDir)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path.Combine(dataDir, "node.pid")).Trim(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _lock.Dispose();
}

/// <summary>Another node runs on the data dir (<see cref="DataDirLock"/>).</summary>
public sealed class DataDirInUseException(string dataDir, int? holder)
    : InvalidOperationException($"another node{(holder is { } pid ? $" (pid {pid})" : "")} runs on [{dataDir}]");
