using System.Threading.Channels;
using Gateway.Shared.Model;
using Gateway.Shared.Providers;

namespace Gateway.Actors.Providers;

/// <summary>
/// The seed's polling provider: calls a delegate every interval and reports what changed since
/// the last successful fetch. A fetch that throws ends the watch with that error (the provider
/// actor restarts it with backoff): it is never read as "zero backends".
/// </summary>
public class PollingProvider(TimeSpan interval, Func<CancellationToken, Task<IReadOnlyList<Backend>>> fetch) : IBackendProvider, ISeedableProvider
{
    private readonly Lock _gate = new();
    private Dictionary<string, Backend> _last = new(StringComparer.Ordinal);
    private CancellationTokenSource? _watch;
    private Task? _loop;

    public TimeSpan Interval => interval;

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
                var current = await fetch(cancellationToken).ConfigureAwait(false);
                IReadOnlyList<BackendEvent> changes;
                lock (_gate)
                {
                    changes = SnapshotDiff.Changes(_last, current);
                    _last = current.ToDictionary(b => b.Name, StringComparer.Ordinal);
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
    protected virtual Task WaitForNextAsync(CancellationToken cancellationToken) => Task.Delay(interval, cancellationToken);

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

    public Task<IReadOnlyList<Backend>> GetBackendsAsync(CancellationToken cancellationToken) => fetch(cancellationToken);

    public async Task<Backend?> GetBackendAsync(string name, CancellationToken cancellationToken) =>
        (await fetch(cancellationToken).ConfigureAwait(false)).FirstOrDefault(b => b.Name == name);
}
