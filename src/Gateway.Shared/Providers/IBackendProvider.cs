using System.Threading.Channels;
using Gateway.Shared.Model;

namespace Gateway.Shared.Providers;

/// <summary>
/// A source of backends: the seed's BackendProvider in async C#. <see cref="StartAsync"/> begins
/// watching the source and writes <see cref="BackendEvent"/>s to the channel it is given until
/// the token is cancelled or <see cref="StopAsync"/> is called. A provider that cannot reach its
/// source throws (or faults the task it started) rather than reporting zero backends: an
/// unreachable source must never read as "everything was deleted".
/// </summary>
public interface IBackendProvider
{
    /// <summary>Starts watching; returns once the watch is running (it continues in the background).</summary>
    Task StartAsync(ChannelWriter<BackendEvent> events, CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>The current list of all backends, read from the source.</summary>
    Task<IReadOnlyList<Backend>> GetBackendsAsync(CancellationToken cancellationToken);

    /// <summary>One backend by name, or null if the source does not have it.</summary>
    Task<Backend?> GetBackendAsync(string name, CancellationToken cancellationToken);
}
