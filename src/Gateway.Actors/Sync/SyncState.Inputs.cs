using System.Collections.Immutable;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>
/// What comes in, in any phase: the desired state and its changes, HAProxy started again, a
/// reconcile due, the node stopping. They only change what is known and due; <see cref="Next"/>
/// decides what runs, so while work is in flight they pile up for the next round.
/// </summary>
public sealed partial record SyncState
{
    /// <summary>The whole desired state (on subscribing, and once it has recovered): every backend is checked again.</summary>
    public SyncState Take(DesiredStateActor.Snapshot snapshot)
    {
        var desired = snapshot.Backends.WithComparers(StringComparer.Ordinal);
        return this with
        {
            Desired = desired,
            DesiredVersions = DesiredVersions.SetItems(desired.Select(b => KeyValuePair.Create(b.Key, b.Value.Version))),
            Routes = new DesiredRoutes(snapshot.RoutesVersion, snapshot.Routes, RouteLookup.Of(snapshot.Routes)),
            Dirty = Dirty.Union(desired.Keys),
            MapsDirty = true,
            Recovered = Recovered || snapshot.Recovered,
        };
    }

    /// <summary>A backend changed (or was deleted); an older version than one seen is ignored.</summary>
    public SyncState Take(BackendStateChanged changed, DateTime now)
    {
        var name = changed.BackendName;
        if (DesiredVersions.TryGetValue(name, out var known) && known > changed.Version)
            return this;
        // A backend HAProxy has that leaves or re-enters the desired state changes where its routes go.
        var routable = Applied.ContainsKey(name) && Desired.ContainsKey(name) != (changed.Backend is not null);
        return this with
        {
            DesiredVersions = DesiredVersions.SetItem(name, changed.Version),
            Desired = changed.Backend is null ? Desired.Remove(name) : Desired.SetItem(name, new VersionedBackend(changed.Backend, changed.Version)),
            MapsDirty = MapsDirty || routable,
            Dirty = Dirty.Add(name),
            LastChange = now,
        };
    }

    /// <summary>The routes changed; an older version than the one known is ignored.</summary>
    public SyncState Take(RoutesStateChanged changed, DateTime now) =>
        changed.Version < Routes.Version
            ? this
            : this with
            {
                Routes = new DesiredRoutes(changed.Version, changed.Routes, RouteLookup.Of(changed.Routes)),
                MapsDirty = true,
                LastChange = now,
            };

    /// <summary>
    /// HAProxy died and was started again on the files on disk, which may lag route changes made at
    /// runtime: its maps are unknown, and a reconcile compares the rest.
    /// </summary>
    public SyncState HaproxyRestarted(int pid) =>
        this with { HaproxyPid = pid, AppliedMaps = RouteMapsContent.Empty, MapsDirty = true, ReconcileWanted = true };

    public SyncState ReconcileDue() => this with { ReconcileWanted = true };

    /// <summary>
    /// The node stops: no more reconciles, haproxy.cfg is due now if it lags what is live, and once
    /// nothing is in flight <see cref="Next"/> stops (see <see cref="HaproxySyncActor.Flush"/>).
    /// </summary>
    public SyncState FlushAsked() => this with
    {
        Flush = Flush == FlushProgress.NotAsked ? FlushProgress.Asked : Flush,
        ReconcileWanted = false,
        LastConfigWrite = DateTime.MinValue,
    };
}
