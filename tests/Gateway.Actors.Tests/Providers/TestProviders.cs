using System.Diagnostics;
using System.Threading.Channels;
using Gateway.Shared.Model;
using Gateway.Shared.Providers;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Providers;

/// <summary>Writes <c>count</c> new backends as fast as the channel takes them.</summary>
internal sealed class StreamingProvider(int count) : IBackendProvider
{
    private int _written;

    public int Written => Volatile.Read(ref _written);

    public Task StartAsync(ChannelWriter<BackendEvent> events, CancellationToken cancellationToken)
    {
        _ = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await events.WriteAsync(BackendEvent.Add(Backend($"b{i}")), cancellationToken);
                Interlocked.Increment(ref _written);
            }
        }, cancellationToken);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<Backend>> GetBackendsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Backend>>([]);

    public Task<Backend?> GetBackendAsync(string name, CancellationToken cancellationToken) => Task.FromResult<Backend?>(null);
}

/// <summary>Throws at start the first <c>failures</c> times, then reports one backend.</summary>
internal sealed class FailingStartProvider(int failures) : IBackendProvider
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TimeSpan> _starts = [];

    public IReadOnlyList<TimeSpan> Starts
    {
        get
        {
            lock (_starts)
                return [.. _starts];
        }
    }

    public Task StartAsync(ChannelWriter<BackendEvent> events, CancellationToken cancellationToken)
    {
        int count;
        lock (_starts)
        {
            _starts.Add(_clock.Elapsed);
            count = _starts.Count;
        }
        if (count <= failures)
            throw new IOException($"source not ready (attempt {count})");
        events.TryWrite(BackendEvent.Add(Backend("api")));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<Backend>> GetBackendsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Backend>>([Backend("api")]);

    public Task<Backend?> GetBackendAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<Backend?>(name == "api" ? Backend("api") : null);
}

/// <summary>A polling source's fetch that fails when the script says so for the n-th fetch (1-based), and lists one backend otherwise.</summary>
internal sealed class ScriptedFetch(Func<int, bool> fails)
{
    private int _fetches;

    public int Fetches => Volatile.Read(ref _fetches);

    public Task<IReadOnlyList<Backend>> FetchAsync(CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _fetches);
        return fails(n)
            ? Task.FromException<IReadOnlyList<Backend>>(new IOException($"source down (fetch {n})"))
            : Task.FromResult<IReadOnlyList<Backend>>([Backend("api")]);
    }
}
