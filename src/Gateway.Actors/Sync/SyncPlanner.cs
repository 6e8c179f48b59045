using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.Sync;

/// <summary>
/// Diffs desired against applied state and decides, backend by backend, what HAProxy can take at
/// runtime (server address/port, weight, admin state, servers added and removed, route maps) and
/// what needs a config transaction and a reload (backends added or deleted, backend-level
/// settings, and backends whose runtime commands failed). Pure: tested without actors or HAProxy.
/// </summary>
public static class SyncPlanner
{
    /// <param name="candidates">
    /// The backends that may differ (the sync actor tracks them); null compares every backend.
    /// With candidates, <paramref name="desired"/> needs entries for those names only.
    /// </param>
    /// <param name="checkMaps">False when neither routes nor the set of routable backends changed: the maps are not rebuilt.</param>
    /// <param name="lookup">The frontend's route lookup live in HAProxy and the one the routes need: a change needs a reload.</param>
    public static SyncPlan Plan(
        IReadOnlyDictionary<string, VersionedBackend> applied,
        IReadOnlyDictionary<string, VersionedBackend> desired,
        IReadOnlySet<string> forceReload,
        IReadOnlySet<ServerRef> pendingRemovals,
        IReadOnlyList<Route> routes,
        RouteMapsContent appliedMaps,
        IReadOnlyCollection<string>? candidates = null,
        bool checkMaps = true,
        (RouteLookup Live, RouteLookup Wanted)? lookup = null)
    {
        var runtime = new List<RuntimeStep>();
        var structural = new List<string>();
        var reasons = new List<string>();
        var names = candidates ?? desired.Keys.Concat(applied.Keys).Distinct(StringComparer.Ordinal).ToList();
        var leaving = new HashSet<string>(StringComparer.Ordinal);

        foreach (var name in names)
        {
            var wanted = desired.TryGetValue(name, out var want);
            var had = applied.TryGetValue(name, out var have);
            if (!wanted && !had)
                continue;
            if (!had)
            {
                structural.Add(name);
                reasons.Add($"backend added: {name}");
            }
            else if (!wanted)
            {
                structural.Add(name);
                leaving.Add(name);
                reasons.Add($"backend removed: {name}");
            }
            else if (forceReload.Contains(name))
            {
                structural.Add(name);
                reasons.Add($"runtime change failed: {name}");
            }
            else if (have!.Version == want!.Version)
            {
                continue;
            }
            else if (SettingsDiffer(have.Backend, want.Backend))
            {
                structural.Add(name);
                reasons.Add($"backend settings changed: {name}");
            }
            else
            {
                runtime.Add(ServerChanges(have.Backend, want, pendingRemovals));
            }
        }

        if (lookup is { } l && l.Live != l.Wanted)
            reasons.Add($"route lookup changed: {l.Live} → {l.Wanted}");

        // Maps may change at runtime even while a reload is planned: a route points at a backend
        // HAProxy has and the desired state keeps, else at the 503 backend. A deleted backend's
        // routes so answer 503 at once, not after the reload window; a new backend's routes switch
        // to it with the reload that adds it (its map files are rendered from the same state).
        RouteMapsContent? maps = null;
        if (checkMaps)
        {
            var built = BuildMaps(routes, applied.Keys.Where(k => !leaving.Contains(k)));
            if (!built.SameAs(appliedMaps))
                maps = built;
        }
        return new SyncPlan(runtime, structural, Summarize(reasons), maps);
    }

    /// <summary>The maps for <paramref name="routes"/> over <paramref name="backends"/>; routes to other backends answer 503.</summary>
    public static RouteMapsContent BuildMaps(IReadOnlyList<Route> routes, IEnumerable<string> backends) =>
        RouteMaps.Build(routes, backends.ToHashSet(StringComparer.Ordinal));

    /// <summary>Backend-level settings live in the backend section: HAProxy changes them only by reload.</summary>
    public static bool SettingsDiffer(Backend a, Backend b) =>
        a.Balance != b.Balance
        || a.Protocol != b.Protocol
        || a.KeepClientScheme != b.KeepClientScheme
        || a.HttpReuse != b.HttpReuse
        || a.EffectiveHealthCheck != b.EffectiveHealthCheck
        || !Equals(a.Tls, b.Tls);

    private static RuntimeStep ServerChanges(Backend have, VersionedBackend want, IReadOnlySet<ServerRef> pendingRemovals)
    {
        var name = want.Backend.Name;
        var commands = new List<RuntimeCommand>();
        var moves = new List<ServerMove>();
        foreach (var server in want.Backend.Servers)
        {
            var old = have.FindServer(server.Name);
            if (old is not null && ServerMoves.Needed(RuntimeOperations.ServerSettings.Of(old), server))
            {
                var twin = ServerMoves.TwinName(server.Name, n => pendingRemovals.Contains(new ServerRef(name, n)));
                moves.Add(ServerMoves.Plan(want.Backend, RuntimeOperations.ServerSettings.Of(old), server, twin));
            }
            else if (old is not null)
                commands.AddRange(RuntimeOperations.Converge(name, RuntimeOperations.ServerSettings.Of(old), server));
            else if (pendingRemovals.Contains(new ServerRef(name, server.Name)))
                // Still in HAProxy, in maint, waiting to be deleted: take it back rather than add it twice.
                commands.AddRange(RuntimeOperations.Converge(name, RuntimeOperations.ServerSettings.Unknown, server));
            else
                commands.AddRange(RuntimeOperations.AddServer(want.Backend, server));
        }
        var removals = have.Servers.Where(s => want.Backend.FindServer(s.Name) is null).Select(s => s.Name).ToList();
        return new RuntimeStep(want.Backend, want.Version, commands, removals) { Moves = moves };
    }

    private static string? Summarize(List<string> reasons) => reasons.Count switch
    {
        0 => null,
        <= 3 => string.Join(", ", reasons),
        _ => $"{string.Join(", ", reasons.Take(3))} (+{reasons.Count - 3} more)",
    };
}
