using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;

namespace Gateway.Actors.Sync;

/// <summary>
/// The runtime commands that bring one backend to <see cref="Target"/> at <see cref="Version"/>,
/// the servers that change address in the rotation (<see cref="ServerMoves"/>: their commands are
/// chosen when the round runs), and the servers to remove gracefully.
/// </summary>
public sealed record RuntimeStep(Backend Target, long Version, IReadOnlyList<RuntimeCommand> Commands, IReadOnlyList<string> Removals)
{
    public string Backend => Target.Name;

    public IReadOnlyList<ServerMove> Moves { get; init; } = [];
}

/// <summary>
/// What one sync round does: runtime steps (no reload), the backends that need a reload
/// (added, deleted, backend-level settings changed, or a runtime command failed on them), and new
/// route maps when routes, or the backends they can reach, changed (see <see cref="SyncPlanner"/>).
/// </summary>
public sealed record SyncPlan(
    IReadOnlyList<RuntimeStep> Runtime,
    IReadOnlyList<string> Structural,
    string? ReloadReason,
    RouteMapsContent? Maps)
{
    public bool NeedsReload => ReloadReason is not null;
    public bool HasRuntimeWork => Runtime.Count > 0 || Maps is not null;
}
