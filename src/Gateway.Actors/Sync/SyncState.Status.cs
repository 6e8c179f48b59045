using Gateway.Actors.Haproxy;
using Gateway.Actors.Health;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>What the sync answers: its status, what it still waits for before it is ready (for /readyz), and waiters for a version to be served.</summary>
public sealed partial record SyncState
{
    /// <param name="wallOffset">From the state's clock (<see cref="Scheduling.NodeClock"/>) to the wall clock's, for the times it shows.</param>
    public SyncStatus ToStatus(TimeSpan wallOffset)
    {
        var backends = new SortedDictionary<string, BackendSyncState>(StringComparer.Ordinal);
        foreach (var (name, want) in Desired)
            backends[name] = new BackendSyncState(want.Version, Applied.TryGetValue(name, out var a) ? a.Version : null,
                Refused.TryGetValue(name, out var r) && r.Version == want.Version ? r.Error : null);
        return new SyncStatus(Ready, Reloads, RuntimeCommands, ConfigHash, LastReloadReason, LastError?.Message, HaproxyPid, HaproxyVersion,
            Routes.Version, AppliedRoutesVersion, Pending.Count, backends)
        {
            DanglingRoutes = RouteMaps.Dangling(Routes.Routes, Desired.ContainsKey),
            DesiredHash = DesiredHash,
            AppliedHash = AppliedHash,
            Behind = Behind,
            FinishingMoves = [.. Finishing.Order(StringComparer.Ordinal)],
            LastErrorAt = LastError?.At + wallOffset,
            ConsecutiveFailures = FailedInARow, // named as the providers' are
            NextAttempt = FailedInARow > 0 ? RetryAt + wallOffset : null,
        };
    }

    /// <summary>The desired backends' and routes' versions, hashed (<see cref="StateHash"/>).</summary>
    public string DesiredHash => StateHash.Of(Desired.Select(b => KeyValuePair.Create(b.Key, b.Value.Version)), Routes.Version);

    /// <summary>What HAProxy serves, hashed alike: equal to <see cref="DesiredHash"/> once it serves all of it.</summary>
    public string AppliedHash => StateHash.Of(Applied.Select(b => KeyValuePair.Create(b.Key, b.Value.Version)), AppliedRoutesVersion);

    /// <summary>How many backends (and the routes) HAProxy does not serve at their newest version yet; refused versions count.</summary>
    public int Behind =>
        Desired.Count(b => !Applied.TryGetValue(b.Key, out var a) || a.Version != b.Value.Version)
        + Applied.Keys.Count(name => !Desired.ContainsKey(name))
        + (AppliedRoutesVersion < Routes.Version ? 1 : 0);

    /// <summary>The few facts every node shares with the cluster.</summary>
    public SyncSummary ToSummary(TimeSpan wallOffset) =>
        new(Ready, DesiredHash, AppliedHash, Behind, LastReloadReason, LastError?.Message) { LastErrorAt = LastError?.At + wallOffset };

    public StartupStatus ToStartupStatus() => new("haproxy", Ready ? null
        : !Recovered ? "the desired state, before HAProxy is brought up on it"
        : !Serving ? $"HAProxy to come up on the recovered state{(LastError is null ? "" : $" (last error: {LastError.Message})")}"
        : "the first reconcile with what HAProxy serves");

    /// <summary>Why a wait for a version to be served ran out: with the sync's failures in a row, when it is failing, so the caller sees the cause.</summary>
    public string WaitTimedOut() => FailedInARow > 0 && LastError is { } error
        ? $"timed out waiting for HAProxy to serve it: the sync failed [{FailedInARow}] times in a row, the last with: {error.Message}"
        : "timed out waiting for HAProxy to serve it";

    /// <summary>The reply to an <see cref="AwaitApplied"/> or <see cref="AwaitRoutesApplied"/> if it has one yet, else null.</summary>
    public object? Answer(object request) => request switch
    {
        AwaitApplied a when AppliedVersion(a.BackendName) is { } v && v >= a.Version => new AppliedOk(v),
        AwaitApplied a when Refused.TryGetValue(a.BackendName, out var r) && r.Version >= a.Version => new ApplyFailed(r.Error),
        AwaitRoutesApplied r when AppliedRoutesVersion >= r.Version => new AppliedOk(AppliedRoutesVersion),
        _ => null,
    };

    /// <summary>The version HAProxy serves: the applied one, or for a deleted backend gone from HAProxy, its deletion.</summary>
    private long? AppliedVersion(string name)
    {
        if (Applied.TryGetValue(name, out var applied))
            return applied.Version;
        return Serving && !Desired.ContainsKey(name) && DesiredVersions.TryGetValue(name, out var deleted) ? deleted : null;
    }
}
