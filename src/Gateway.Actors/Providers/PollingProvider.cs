using System.Threading.Channels;
using Gateway.Shared.Model;
using Gateway.Shared.Providers;

namespace Gateway.Actors.Providers;

/// <summary>
/// The seed's polling provider: calls a delegate every interval and reports what changed since
/// the last successful fetch. A fetch that throws ends the watch with that error (the provider
/// actor restarts it with backoff): it is never read as "zero backends". Each completed fetch is
/// reported to the host (<see cref="IPollingSource"/>).
/// </summary>
public class PollingProvider : IBackendProvider, ISeedableProvider, IPollingSource
{
    private readonly Lock _gate = new();
    private readonly Func<CancellationToken, Task<SourceSnapshot>> _read;
    private Dictionary<string, Backend> _last = new(StringComparer.Ordinal);
    private volatile Action<FetchReport>? _fetched;
    private CancellationTokenSource? _watch;
    private Task? _loop;

    public PollingProvider(TimeSpan interval, Func<CancellationToken, Task<IReadOnlyList<Backend>>> fetch)
        : this(interval, async cancellationToken => new SourceSnapshot(await fetch(cancellationToken).ConfigureAwait(false), []))
    {
    }

    /// <summary>For sources that read a document: its unknown fields are reported with each fetch.</summary>
    protected PollingProvider(TimeSpan interval, Func<CancellationToken, Task<SourceSnapshot>> read)
    {
        Interval = interval;
        _read = read;
    }

    public TimeSpan Interval { get; }

    public void OnFetched(Action<FetchReport> fetched) => _fetched = fetched;

    public void Seed(IReadOnlyList<Backend> previouslyReported)
    {
        lock (_gate)
            _last = previouslyReported.ToDictionary(b => b.Name, StringComparer.Ordinal);
    }

    public Task StartAsync(ChannelWriter<BackendEvent> events, CancellationToken cancellationToken)
    {
        _watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _watch.Token;
        _loop = Task.Run(() => PollAsync(events, token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task PollAsync(ChannelWriter<BackendEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var current = await _read(cancellationToken).ConfigureAwait(false);
                _fetched?.Invoke(new FetchReport(current.Backends.Count, current.UnknownFields));
                IReadOnlyList<BackendEvent> changes;
                lock (_gate)
                {
                    changes = SnapshotDiff.Changes(_last, current.Backends);
                    _last = current.Backends.ToDictionary(b => b.Name, StringComparer.Ordinal);
                }
                foreach (var change in changes)
                    await events.WriteAsync(change, cancellationToken).ConfigureAwait(false);
                await WaitForNextAsync(cancellationToken).ConfigureAwait(false);
            }
            events.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            events.TryComplete();
        }
        catch (OperationCanceledException e)
        {
            // Not our cancellation: a timeout (HttpClient's). Completed with it, a channel reads as
            // cancelled and the reason is lost ("A task was canceled."); say what happened.
            events.TryComplete(new TimeoutException(e.Message));
        }
        catch (Exception e)
        {
            events.TryComplete(e);
        }
    }

    /// <summary>Waits until the next fetch is due: the interval, or earlier when a subclass knows the source changed.</summary>
    protected virtual Task WaitForNextAsync(CancellationToken cancellationToken) => Task.Delay(Interval, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_watch is null)
            return;
        await _watch.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        _watch.Dispose();
        _watch = null;
    }

    public async Task<IReadOnlyList<Backend>> GetBackendsAsync(CancellationToken cancellationToken) =>
        (await _read(cancellationToken).ConfigureAwait(false)).Backends;

    public async Task<Backend?> GetBackendAsync(string name, CancellationToken cancellationToken) =>
        (await GetBackendsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(b => b.Name == name);
}
