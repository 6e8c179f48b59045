using System.Diagnostics;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;

namespace Gateway.Bench;

/// <summary>
/// When each of several HAProxies first shows a server at an address, read from HAProxy itself:
/// <c>show servers state B</c> on each one's stats socket, polled round robin with one command in
/// flight at a time (about 50 µs a poll here), so the watch never takes more than one core's worth
/// of round trips from the nodes it watches. After a reload an open CLI connection stays with the
/// old worker, so a watch that may span a reload asks on a fresh connection each time, and any
/// watch reconnects a socket that has not shown the change for 250 ms.
/// </summary>
public sealed class HaproxyWatch(IEnumerable<HaproxyLayout> layouts) : IAsyncDisposable
{
    private static readonly TimeSpan Stale = TimeSpan.FromMilliseconds(250);

    private readonly RuntimeApiClient[] _clients = layouts.Select(l => new RuntimeApiClient(l.RuntimeSocket, timeout: TimeSpan.FromSeconds(2))).ToArray();

    public int Count => _clients.Length;

    /// <summary>Ms from <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) until each HAProxy showed <paramref name="ip"/> in <paramref name="backend"/>.</summary>
    public async Task<double[]> WaitAsync(string backend, string ip, long started, TimeSpan limit, bool freshConnections = false)
    {
        var seen = Enumerable.Repeat(double.NaN, _clients.Length).ToArray();
        var reconnected = Enumerable.Repeat(started, _clients.Length).ToArray();
        var command = RuntimeCommands.ShowServersState(backend);
        while (seen.Any(double.IsNaN))
        {
            for (var i = 0; i < _clients.Length; i++)
            {
                if (!double.IsNaN(seen[i]))
                    continue;
                if (freshConnections || Stopwatch.GetElapsedTime(reconnected[i]) > Stale)
                {
                    await _clients[i].ReconnectAsync();
                    reconnected[i] = Stopwatch.GetTimestamp();
                }
                var reply = await _clients[i].ExecuteAsync(command);
                if (reply.Ok && ServerStates.Parse(reply.Output).Any(s => s.Address == ip))
                    seen[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            if (Stopwatch.GetElapsedTime(started) > limit)
                throw new TimeoutException($"{backend} at {ip} not shown by HAProxy {string.Join(", ", seen.Select((s, i) => (s, i)).Where(x => double.IsNaN(x.s)).Select(x => x.i + 1))} within {limit.TotalSeconds:0.#} s");
        }
        return seen;
    }

    /// <summary>Drops every connection: the next poll asks the worker that serves now.</summary>
    public async Task ReconnectAsync()
    {
        foreach (var client in _clients)
            await client.ReconnectAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
    }
}
