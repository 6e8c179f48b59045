using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;

namespace Gateway.Actors.Haproxy;

/// <summary>How an HAProxy came to be running for this node.</summary>
public enum StartKind { Started, Adopted }

/// <summary>The running HAProxy: how it came to run, its master pid and version.</summary>
public sealed record HaproxyRunning(StartKind Kind, int MasterPid, string Version);

/// <summary>
/// What the sync actor needs from one HAProxy, shaped by what HAProxy offers: runtime commands,
/// atomic map replacement, graceful server removal, config transactions with a reload and a
/// reason, live server state, and the process itself. <see cref="HaproxyClient"/> is the real one.
/// </summary>
public interface IHaproxyClient
{
    HaproxyLayout Layout { get; }

    /// <summary>Adopts the HAProxy on the pid file or starts one on the config on disk (managed mode).</summary>
    Task<HaproxyRunning> EnsureRunningAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<RuntimeReply>> ExecuteAsync(IReadOnlyList<RuntimeCommand> commands, CancellationToken cancellationToken);

    Task<IReadOnlyList<RuntimeReply>> ReplaceMapAsync(string map, IReadOnlyList<RouteMaps.Entry> entries, CancellationToken cancellationToken);

    /// <summary>Maint, then <c>del server</c> once HAProxy lets go of it; false if still there after <paramref name="wait"/>.</summary>
    Task<bool> RemoveServerAsync(string backend, string server, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Finishes moves whose twins serve the new addresses (<see cref="ServerMoves.FinishAsync"/>).</summary>
    /// <param name="served">How many backends HAProxy serves (<see cref="ServerMoves.Queries"/>).</param>
    Task<IReadOnlyList<MoveResult>> FinishMovesAsync(IReadOnlyList<ServerMove> moves, TimeSpan wait, int served, CancellationToken cancellationToken);

    Task<CommitResult> CommitAsync(RenderedConfig config, IReadOnlyCollection<Backend> backends, string reason, bool reload, bool validate,
        CancellationToken cancellationToken);

    Task<IReadOnlyList<LiveServer>> ShowServersStateAsync(CancellationToken cancellationToken);

    /// <summary>Raised (on any thread) with the new master pid when a dead HAProxy was started again.</summary>
    event Action<int>? Restarted;

    /// <summary>Stops supervising; stops HAProxy too unless configured to keep it running or <paramref name="leaveRunning"/>.</summary>
    /// <param name="leaveRunning">HAProxy must serve on whatever the configuration says (the node was removed from its cluster).</param>
    Task StopAsync(bool leaveRunning, CancellationToken cancellationToken);
}
