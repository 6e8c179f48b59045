using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.Sync;

/// <summary>
/// What the periodic reconcile found: commands that put servers back as applied (on
/// <see cref="Servers"/> servers, the moves among them apart), servers to remove, backends HAProxy lacks.
/// </summary>
public sealed record DriftRepair(
    IReadOnlyList<RuntimeCommand> Commands, int Servers, IReadOnlyList<ServerRef> Removals, IReadOnlyList<string> MissingBackends)
{
    /// <summary>Servers in the rotation at another address than applied: moved back (<see cref="ServerMoves"/>).</summary>
    public IReadOnlyList<ServerMove> Moves { get; init; } = [];

    /// <summary>HTTP/2 backends that get a server back at runtime: a settle reload makes it a configuration server.</summary>
    public IReadOnlyList<string> Unsettled { get; init; } = [];

    public int Count => Commands.Count + Moves.Count + Removals.Count + MissingBackends.Count;
}

/// <summary>
/// Compares what HAProxy really serves (<c>show backend</c>, <c>show servers state</c>) with what
/// Gateway applied, and plans the repair: a server someone changed by hand is set back, a missing
/// one added, an unknown one removed (this also retries removals HAProxy refused while requests
/// were in flight), a missing backend reloaded. Pure.
/// </summary>
public static class DriftPlanner
{
    public static DriftRepair Plan(
        IReadOnlyDictionary<string, VersionedBackend> applied, IReadOnlySet<string> liveBackends,
        IReadOnlyList<LiveServer> live)
    {
        var commands = new List<RuntimeCommand>();
        var moves = new List<ServerMove>();
        var removals = new List<ServerRef>();
        var missing = new List<string>();
        var unsettled = new SortedSet<string>(StringComparer.Ordinal);
        var servers = 0;
        var liveServers = live.ToDictionary(s => new ServerRef(s.Backend, s.Server));

        foreach (var (name, versioned) in applied)
        {
            if (!liveBackends.Contains(name))
            {
                missing.Add(name);
                continue;
            }
            var backend = versioned.Backend;
            foreach (var server in backend.Servers)
            {
                var before = commands.Count;
                if (!liveServers.TryGetValue(new ServerRef(name, server.Name), out var now))
                {
                    commands.AddRange(RuntimeOperations.AddServer(backend, server));
                    if (SyncState.SettlesAddedServers(backend))
                        unsettled.Add(name);
                }
                else
                {
                    var current = new RuntimeOperations.ServerSettings(now.Address, now.Port, now.Weight, now.State);
                    if (ServerMoves.Needed(current, server))
                        moves.Add(ServerMoves.Plan(backend, current, server, ServerMoves.TwinName(server.Name, n => liveServers.ContainsKey(new ServerRef(name, n)))));
                    else
                        commands.AddRange(RuntimeOperations.Converge(name, current, server));
                }
                if (commands.Count > before)
                    servers++;
            }
        }
        foreach (var (key, _) in liveServers)
        {
            if (!applied.TryGetValue(key.Backend, out var versioned))
                continue; // a backend Gateway does not manage (or one being removed by reload)
            if (versioned.Backend.FindServer(key.Server) is null)
                removals.Add(key);
        }
        return new DriftRepair(commands, servers + moves.Count, removals, missing) { Moves = moves, Unsettled = [.. unsettled] };
    }
}
