using Akka;
using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Scheduling;

namespace Gateway.Actors.Sync;

/// <summary>
/// The phases while HAProxy serves: idle, applying a round, reconciling, and stopped. While a round
/// or a reconcile is in flight, changes only pile up in the state (<see cref="ReceiveInputs"/>), and
/// its completion starts the next round with all of them.
/// </summary>
public sealed partial class HaproxySyncActor
{
    private sealed record RoundDone(SyncJob Job, long RoutesVersion, SyncOutcome Outcome);
    private sealed record ReconcileDone(ReconcileOutcome Outcome);
    private sealed record WorkFailed(Exception Cause);
    private sealed record MovesDone(MovesOutcome Outcome);

    /// <summary>Nothing in flight: a change, a tick or the flush starts what is due at once.</summary>
    private void Idle() => ReceiveInputs();

    /// <summary>A sync round is in flight.</summary>
    private void Applying()
    {
        Receive<RoundDone>(done =>
        {
            var state = _state.RoundCompleted(done.Job, done.RoutesVersion, done.Outcome, NodeClock.Machine.UtcNow);
            LogRecovery(_state, state);
            LogRound(done, state);
            _state = state;
            if (done.Outcome.MovesToFinish is { Count: > 0 } moves)
                FinishMoves(moves, done.Job.Applied.Count);
            SettleWaiters();
            Proceed(_state);
        });
        ReceiveWorkFailed();
        ReceiveInputs();
    }

    /// <summary>A reconcile with what HAProxy serves is in flight.</summary>
    private void Reconciling()
    {
        Receive<ReconcileDone>(done =>
        {
            var outcome = done.Outcome;
            if (outcome.MissingBackends.Count > 0)
                _log.Warning("HAProxy lacks backends [{Backends}]; reloading them in", string.Join(", ", outcome.MissingBackends));
            if (outcome.Commands > 0)
                _log.Warning("Repaired drift on [{Servers}] servers with [{Commands}] runtime commands (HAProxy no longer served what was applied)",
                    outcome.Servers, outcome.Commands);
            if (!_state.Ready)
                _log.Info("Ready: HAProxy serves the recovered state");
            var state = _state.Reconciled(outcome, NodeClock.Machine.UtcNow);
            LogRecovery(_state, state);
            LogSettleWait(state);
            _state = state;
            SettleWaiters();
            Proceed(_state);
        });
        ReceiveWorkFailed();
        ReceiveInputs();
    }

    /// <summary>Flushed: the node stops HAProxy next. Changes are still taken (the status shows them), no work starts.</summary>
    private void Stopped()
    {
        Receive<Flush>(_ => Sender.Tell(Done.Instance));
        ReceiveInputs();
    }

    /// <summary>Finishes a round's moves beside the next rounds (<see cref="SyncRound.FinishMovesAsync"/>); <see cref="MovesDone"/> says when.</summary>
    private void FinishMoves(IReadOnlyList<Haproxy.Runtime.ServerMove> moves, int served)
    {
        var (settings, client, backends) = (_settings, _client, SyncRound.Backends(moves));
        Run(ct => SyncRound.FinishMovesAsync(moves, settings, served, client, ct), o => new MovesDone(o),
            e => new MovesDone(new MovesOutcome(backends, backends.Select(b => (b, e.Message)).ToList(), [], [])));
    }

    /// <summary>Taken in every phase: moves finish beside whatever runs.</summary>
    private void ReceiveMovesDone() =>
        Receive<MovesDone>(done =>
        {
            var outcome = done.Outcome;
            foreach (var (backend, error) in outcome.Failures)
                _log.Warning("Moving a server of [{Backend}] failed ({Error}); falling back to a reload", backend, error);
            foreach (var server in outcome.MovedInFlight)
                _log.Warning("Moved [{Server}] while requests to its old address were still in flight after [{Wait}]; "
                    + "HAProxy 2.6 may reuse their connections to the old address", server, _settings.MoveDrainWait);
            Proceed(_state.MovesFinished(outcome, NodeClock.Machine.UtcNow));
        });

    /// <summary>The first failure in a row is logged with its exception, the next ones in a line each, a try further apart each time.</summary>
    private void ReceiveWorkFailed() =>
        Receive<WorkFailed>(failed =>
        {
            var now = NodeClock.Machine.UtcNow;
            var state = _state.WorkFailed(failed.Cause.Message, now);
            var retryIn = state.RetryAt - now;
            if (state.FailedInARow == 1)
                _log.Error(failed.Cause, "Sync round failed; trying again in [{RetryIn}]", retryIn);
            else
                _log.Warning("Sync round failed again ([{Failures}] in a row): {Error}; trying again in [{RetryIn}]", state.FailedInARow,
                    failed.Cause.Message, retryIn);
            Proceed(state);
        });

    /// <summary>Work ran to its end after failures: says so once.</summary>
    private void LogRecovery(SyncState before, SyncState after)
    {
        if (before.FailedInARow > 0 && after.FailedInARow == 0)
            _log.Info("Sync works again after [{Failures}] failed rounds in a row", before.FailedInARow);
    }

    private void LogSettleWait(SyncState state)
    {
        if (_state.UnsettledSince is null && state.UnsettledSince is not null)
            _log.Info("Servers added at runtime to HTTP/2 backends [{Backends}] join the configuration by a reload in [{Delay}] "
                + "(until then each of their connections carries one stream)", string.Join(", ", state.Unsettled), _settings.SettleDelay);
    }

    /// <summary>What an operator reads of a round: runtime failures and refusals, a failed reload, the runtime changes and map replacements.</summary>
    private void LogRound(RoundDone done, SyncState state)
    {
        var (job, outcome) = (done.Job, done.Outcome);
        foreach (var (backend, error) in outcome.RuntimeFailures)
            _log.Warning("Runtime change of [{Backend}] failed ({Error}); falling back to a reload", backend, error);
        if (outcome.MapsError is { } mapsError)
            _log.Warning("Route maps not replaced at runtime ({Error}); falling back to a reload", mapsError);
        if (outcome.Reload is { } reload)
        {
            if (reload.Outcome != CommitOutcome.Reloaded)
                foreach (var name in SyncState.Culprits(job, outcome))
                    LogRefused(name, state);
            LogReload(reload, SyncState.ReloadReasonOf(job), state);
        }
        if (outcome.Tally is { Changed: true } tally)
            LogRound(tally);
        LogSettleWait(state);
        if (outcome.Reload is null && outcome.Maps is { } replaced)
        {
            var (entries, missing) = MapsTally.Of(replaced);
            _log.Info("Replaced the route maps at runtime for routes version [{RoutesVersion}]: [{Entries}] entries, [{Missing}] of them answering 503 (backend missing)",
                done.RoutesVersion, entries, missing);
        }
    }
}
