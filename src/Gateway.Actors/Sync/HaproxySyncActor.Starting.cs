using Akka.Event;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Scheduling;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>The phases before HAProxy serves the recovered state: recovering, early-starting, starting up.</summary>
public sealed partial class HaproxySyncActor
{
    private sealed record EarlyStarted(HaproxyRunning Running);
    private sealed record EarlyStartFailed(Exception Cause);
    private sealed record StartupDone(StartupOutcome Outcome, IReadOnlyDictionary<string, VersionedBackend> Tried);
    private sealed record StartupFailed(Exception Cause);

    /// <summary>Waiting for the desired state to recover (or for the retry of a failed startup); the startup begins once it has.</summary>
    private void Recovering() => ReceiveInputs();

    /// <summary>HAProxy comes up on the configuration on disk; the startup on the recovered state waits for it.</summary>
    private void EarlyStarting()
    {
        Receive<EarlyStarted>(early =>
        {
            _log.Info("HAProxy (master [{Pid}], {How}) serves the configuration on disk while the desired state recovers", early.Running.MasterPid,
                early.Running.Kind == StartKind.Adopted ? "adopted" : "started");
            Proceed(_state.EarlyStarted(early.Running));
        });
        Receive<EarlyStartFailed>(failed =>
        {
            _log.Warning("HAProxy could not start on the configuration on disk ({Error}); it starts once the state has recovered", failed.Cause.Message);
            Proceed(_state.EarlyStartFailed());
        });
        ReceiveInputs();
    }

    /// <summary>HAProxy comes up on the recovered state; then the first reconcile makes the node ready.</summary>
    private void StartingUp()
    {
        Receive<StartupDone>(done =>
        {
            var (outcome, tried) = (done.Outcome, done.Tried);
            var state = _state.Started(outcome, tried, NodeClock.Machine.UtcNow);
            foreach (var name in outcome.Refused.Keys)
                LogRefused(name, state);
            if (outcome.Reload is { } reload)
                LogReload(reload, SyncState.StartupReloadReason, state);
            _log.Info("HAProxy {Version} (master [{Pid}], {How}) serves [{Backends}] backends", state.HaproxyVersion, state.HaproxyPid,
                outcome.Running.Kind == StartKind.Adopted ? "adopted" : "started", state.Applied.Count);
            Timers.StartPeriodicTimer(ReconcileTimer, Tick.Reconcile, _settings.SyncPeriod);
            Proceed(state);
        });
        Receive<StartupFailed>(failed =>
        {
            _log.Error(failed.Cause, "HAProxy did not come up on the recovered state; retrying in [{Delay}]", _settings.SyncPeriod);
            Proceed(_state.StartupFailed(failed.Cause.Message, NodeClock.Machine.UtcNow, _settings));
        });
        ReceiveInputs();
    }

    private void LogRefused(string name, SyncState state)
    {
        var refusal = state.Refused[name];
        _log.Warning("Backend [{Backend}] version [{Version}] refused by HAProxy; keeping its last good version: {Error}", name, refusal.Version,
            refusal.Error);
    }

    private void LogReload(CommitResult result, string reason, SyncState state)
    {
        if (result.Outcome != CommitOutcome.Reloaded)
            _log.Error("Configuration for [{Reason}] not applied ({Error}); HAProxy keeps serving the last good one", reason, state.LastError?.Message);
    }
}
