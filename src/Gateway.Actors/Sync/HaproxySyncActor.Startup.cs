using Akka.Event;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Haproxy;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>Bringing HAProxy up on the recovered state.</summary>
public sealed partial class HaproxySyncActor
{
    private void Take(DesiredStateActor.Snapshot snapshot)
    {
        _desired.Clear();
        foreach (var (name, backend) in snapshot.Backends)
        {
            _desired[name] = backend;
            _desiredVersions[name] = backend.Version;
        }
        _routes = (snapshot.RoutesVersion, snapshot.Routes, RouteLookup.Of(snapshot.Routes));
        _dirty.UnionWith(_desired.Keys);
        _mapsDirty = true;
        if (snapshot.Recovered && !_recovered)
        {
            _recovered = true;
            StartUp();
        }
    }

    private void StartUp()
    {
        if (_busy || _running)
            return;
        _busy = true;
        _log.Info("Bringing HAProxy up on the recovered state: [{Backends}] backends, [{Routes}] routes", _desired.Count, _routes.Routes.Count);
        var (desired, routes, settings, client, early) = (Snapshot(_desired), _routes.Routes, _settings, _client, _earlyRunning);
        Run(ct => SyncStartup.RunAsync(desired, routes, settings, client, ct, early), o => new StartupDone(o, desired), e => new StartupFailed(e));
    }

    private void Started(StartupOutcome outcome, IReadOnlyDictionary<string, VersionedBackend> tried)
    {
        _busy = false;
        _running = true;
        _applied = outcome.Applied.ToDictionary(StringComparer.Ordinal);
        // The maps HAProxy loaded may lag (an adopted HAProxy, or map changes not yet written when the
        // last node stopped): treat them as unknown, so the first round replaces them at runtime.
        _appliedMaps = RouteMapsContent.Empty;
        _liveLookup = outcome.Lookup;
        foreach (var (name, error) in outcome.Refused)
            Refuse(name, error, tried);
        _haproxyPid = outcome.Running.MasterPid;
        _haproxyVersion = outcome.Running.Version;
        _configHash = outcome.Written.Hash;
        if (outcome.Reload is { } reload)
        {
            _lastReload = DateTime.UtcNow;
            Reloaded(reload, "the running HAProxy serves an older configuration");
        }
        _dirty.UnionWith(_desired.Keys);
        _dirty.UnionWith(_applied.Keys);
        _dirty.RemoveWhere(Converged);
        _mapsDirty = true;
        _log.Info("HAProxy {Version} (master [{Pid}], {How}) serves [{Backends}] backends", _haproxyVersion, _haproxyPid,
            outcome.Running.Kind == StartKind.Adopted ? "adopted" : "started", _applied.Count);
        Timers.StartPeriodicTimer(ReconcileTimer, Tick.Reconcile, _settings.SyncPeriod);
        _reconcileWanted = true; // the first reconcile makes the node ready
        Kick();
    }
}
