namespace Gateway.Actors.Providers;

/// <summary>
/// Watches a JSON file in the seed's format and reports what changed. The file is read as soon as
/// it changes (a file system watcher) and at least every interval; a missing, half-written,
/// invalid or too large file (past <see cref="MaxDocumentBytes"/>) fails the read, and the
/// provider actor retries with backoff.
/// </summary>
public sealed class FileBackendProvider : PollingProvider, IDisposable
{
    /// <summary>Lets a writer finish before the file is read after a change notification.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);

    private readonly FileSystemWatcher _watcher;
    private readonly SemaphoreSlim _changed = new(0, 1);

    public FileBackendProvider(string path, TimeSpan interval, long maxDocumentBytes = SourceDocument.DefaultMaxBytes)
        : base(interval, cancellationToken => ReadAsync(Path.GetFullPath(path), maxDocumentBytes, cancellationToken))
    {
        FilePath = Path.GetFullPath(path);
        MaxDocumentBytes = maxDocumentBytes;
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(FilePath)!, Path.GetFileName(FilePath))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
        };
        _watcher.Changed += (_, _) => Signal();
        _watcher.Created += (_, _) => Signal();
        _watcher.Renamed += (_, _) => Signal();
        try
        {
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or IOException)
        {
            // the directory does not exist (yet): polling every interval still finds the file
        }
    }

    public string FilePath { get; }

    public long MaxDocumentBytes { get; }

    protected override async Task WaitForNextAsync(CancellationToken cancellationToken)
    {
        if (await _changed.WaitAsync(Interval, cancellationToken).ConfigureAwait(false))
            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
    }

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // a change is already signalled
        }
    }

    private static async Task<SourceSnapshot> ReadAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        if (file.Length > maxBytes)
            throw SourceDocument.TooLarge(path, maxBytes);
        // bounded as well: the file may grow while it is read
        var document = await SourceDocument.ReadAsync(file, maxBytes, path, cancellationToken).ConfigureAwait(false);
        return SourceDocument.Parse(document, path);
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _changed.Dispose();
    }
}
