using System.Net;

namespace Gateway.Testing;

/// <summary>
/// A bounded load: <c>workers</c> concurrent request loops on one client until stopped or until
/// <c>maxRequests</c>/<c>maxTime</c> run out, counting answers that are not 200 and exceptions.
/// </summary>
public sealed class LoadLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task[] _workers;
    private int _requests;
    private int _failures;
    private readonly List<string> _errors = [];

    public LoadLoop(HttpClient client, string url, int workers = 4, int maxRequests = 200_000, TimeSpan? maxTime = null, string? host = null)
    {
        _stop = new CancellationTokenSource(maxTime ?? TimeSpan.FromSeconds(60));
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _requests) <= maxRequests)
            {
                try
                {
                    var (status, _, _) = await client.FetchAsync(url, host);
                    if (status != HttpStatusCode.OK)
                        Fail($"status {(int)status}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !_stop.IsCancellationRequested)
                {
                    Fail(e.InnerException?.Message ?? e.Message);
                }
                catch (TaskCanceledException)
                {
                    return;
                }
            }
        })).ToArray();
    }

    public int Requests => Math.Max(0, Volatile.Read(ref _requests) - _workers.Length);
    public int Failures => Volatile.Read(ref _failures);

    public IReadOnlyList<string> Errors
    {
        get { lock (_errors) return _errors.ToArray(); }
    }

    private void Fail(string why)
    {
        Interlocked.Increment(ref _failures);
        lock (_errors)
            if (_errors.Count < 20)
                _errors.Add(why);
    }

    /// <summary>Waits until <paramref name="more"/> further requests completed; the timeout names what went wrong so far.</summary>
    public async Task Progress(int more)
    {
        var target = Requests + more;
        try
        {
            await Eventually.True(() => Task.FromResult(Requests >= target || _workers.All(w => w.IsCompleted)), TimeSpan.FromSeconds(20), $"{more} more requests");
            if (Requests < target)
                throw new InvalidOperationException($"the load loop ended (its count or time bound) after {Requests} requests, before {more} more");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} ({Requests} done, {Failures} failed: {string.Join("; ", Errors)})", e);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
