using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// Keeps one HAProxy running: adopts the one on the pid file or starts it, and starts it again (with
/// backoff) when the master died: one it started is noticed when its exit is signalled, one it
/// adopted by checking every <see cref="CheckInterval"/> (an idle node then has nothing to wake
/// it four times a second). The configuration on disk always equals the desired state, so a restart serves it.
/// </summary>
public sealed class HaproxySupervisor : IAsyncDisposable
{
    private readonly HaproxyProcess _process;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task? _watch;

    public HaproxySupervisor(HaproxyProcess process, ILogger? logger = null)
    {
        _process = process;
        _log = logger ?? NullLogger.Instance;
    }

    /// <summary>How often an adopted master (not this node's child) is checked.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public HaproxyProcess Process => _process;

    /// <summary>How many times HAProxy was found dead and started again.</summary>
    public int Restarts { get; private set; }

    /// <summary>Raised after HAProxy was started again, with the new master pid.</summary>
    public event Action<int>? Restarted;

    /// <summary>Adopts or starts HAProxy, then watches it in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await _process.TryAdoptAsync(cancellationToken).ConfigureAwait(false))
            await _process.StartAsync(cancellationToken).ConfigureAwait(false);
        _watch = Task.Run(() => WatchAsync(_stop.Token), CancellationToken.None);
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (backoff > TimeSpan.Zero)
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                else
                    await _process.NextCheckAsync(CheckInterval, cancellationToken).ConfigureAwait(false);
                if (_process.IsRunning)
                    continue;
                _log.LogWarning("HAProxy master [{Pid}] is gone; starting it again", _process.MasterPid);
                await _process.StartAsync(cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
                Restarts++;
                Restarted?.Invoke(_process.MasterPid ?? 0);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                _log.LogError(e, "Could not start HAProxy again; retrying in [{Backoff}] ms", (int)backoff.TotalMilliseconds);
            }
        }
    }

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>Stops watching, and stops HAProxy unless <paramref name="keepRunning"/>.</summary>
    public async Task StopAsync(bool keepRunning, TimeSpan grace, CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watch is not null)
            await _watch.ConfigureAwait(false);
        if (!keepRunning)
            await _process.StopAsync(grace, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watch is not null)
            await _watch.ConfigureAwait(false);
        _stop.Dispose();
    }
}
