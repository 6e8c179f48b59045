using Gateway.Actors.Haproxy;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>What the sync answers: status, and waiters for a version to be served.</summary>
public sealed partial class HaproxySyncActor
{
    private void SettleWaiters()
    {
        _waiters.Settle(request => request switch
        {
            AwaitApplied a when AppliedVersion(a.BackendName) is { } v && v >= a.Version => new AppliedOk(v),
            AwaitApplied a when _refused.TryGetValue(a.BackendName, out var r) && r.Version >= a.Version => new ApplyFailed(r.Error),
            AwaitRoutesApplied r when _appliedRoutesVersion >= r.Version => new AppliedOk(_appliedRoutesVersion),
            _ => null,
        });
        if (_waiters.Any)
            Timers.StartSingleTimer(WaitersTimer, Tick.Waiters, TimeSpan.FromMilliseconds(50));
    }

    /// <summary>The version HAProxy serves: the applied one, or for a deleted backend gone from HAProxy, its deletion.</summary>
    private long? AppliedVersion(string name)
    {
        if (_applied.TryGetValue(name, out var applied))
            return applied.Version;
        return _running && !_desired.ContainsKey(name) && _desiredVersions.TryGetValue(name, out var deleted) ? deleted : null;
    }

    private SyncStatus Status()
    {
        var backends = new SortedDictionary<string, BackendSyncState>(StringComparer.Ordinal);
        foreach (var (name, want) in _desired)
            backends[name] = new BackendSyncState(want.Version, _applied.TryGetValue(name, out var a) ? a.Version : null,
                _refused.TryGetValue(name, out var r) && r.Version == want.Version ? r.Error : null);
        return new SyncStatus(_ready, _reloads, _runtimeCommands, _configHash, _lastReloadReason, _lastError, _haproxyPid, _haproxyVersion,
            _routes.Version, _appliedRoutesVersion, _pending.Count, backends)
        {
            DanglingRoutes = RouteMaps.Dangling(_routes.Routes, _desired.ContainsKey),
        };
    }

    private static IReadOnlyDictionary<string, VersionedBackend> Snapshot(Dictionary<string, VersionedBackend> source) =>
        new Dictionary<string, VersionedBackend>(source, StringComparer.Ordinal);
}
