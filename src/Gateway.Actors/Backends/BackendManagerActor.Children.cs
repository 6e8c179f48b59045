using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Persistence;
using Gateway.Actors.Scheduling;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Backends;

/// <summary>The backend actors' lifecycle: ready, asked to stop, stopping after a journal failure, gone.</summary>
public sealed partial class BackendManagerActor
{
    /// <summary>Why a backend's commands are held.</summary>
    private enum WriterPhase
    {
        /// <summary>Its actor reads its journal; ready at <see cref="WriterReady"/>.</summary>
        Starting,

        /// <summary>It recovered as deleted and was asked to stop unless a change arrived meanwhile.</summary>
        Passivating,

        /// <summary>It stops after the journal failed (a write, or its recovery).</summary>
        Stopping,

        /// <summary>It could not read its journal and is gone; the next incarnation starts shortly if commands wait.</summary>
        Failed,
    }

    /// <param name="Reason">For <see cref="WriterPhase.Stopping"/>: the journal's failure.</param>
    /// <param name="NeverReady">It stopped before it had read its journal: what is held is answered, not retried.</param>
    private sealed record Gate(WriterPhase Phase, HeldMessages Held, string? Reason, bool NeverReady = false);

    private sealed class ExpireHeld
    {
        public static readonly ExpireHeld Instance = new();
    }

    private sealed record RetryStart(string Name);

    /// <summary>How soon a backend that could not read its journal is started again while commands wait for it.</summary>
    private static readonly TimeSpan RetryWhileHolding = TimeSpan.FromMilliseconds(200);

    private void ChildLifecycle()
    {
        Receive<WriterReady>(ready =>
        {
            if (_gates.TryGetValue(ready.Key, out var gate) && gate.Phase == WriterPhase.Starting)
                Release(ready.Key, Sender);
        });
        Receive<WriterStopping>(stopping =>
        {
            _log.Debug("Backend [{Backend}] stops: {Reason}; its next command starts it again from the journal", stopping.Key, stopping.Reason);
            var held = _gates.GetValueOrDefault(stopping.Key)?.Held ?? new HeldMessages();
            _gates[stopping.Key] = new Gate(WriterPhase.Stopping, held, stopping.Reason, NeverReady: !stopping.WasReady);
            ExpireLater();
        });
        // A child that recovered as deleted asks to be stopped; one that turned out to be needed meanwhile gets what was held.
        Receive<WriterIdle>(idle =>
        {
            var child = Context.Child(idle.Key);
            if (child.IsNobody() || _gates.ContainsKey(idle.Key))
                return;
            _gates[idle.Key] = new Gate(WriterPhase.Passivating, new HeldMessages(), null);
            child.Tell(StopIfIdle.Instance); // after whatever it already has in its mailbox
        });
        Receive<WriterStillNeeded>(needed =>
        {
            if (_gates.TryGetValue(needed.Key, out var gate) && gate.Phase == WriterPhase.Passivating)
                Release(needed.Key, Sender);
        });
        Receive<Terminated>(terminated =>
        {
            var name = terminated.ActorRef.Path.Name;
            if (!_gates.Remove(name, out var gate) || gate.Held.Count == 0)
                return;
            if (gate.Phase == WriterPhase.Starting || gate.NeverReady)
            {
                // It could not read its journal. One that just came back may fail a first read on a
                // connection the outage broke: try again shortly; HoldTimeout bounds what waits.
                _gates[name] = gate with { Phase = WriterPhase.Failed, Reason = gate.Reason ?? $"backend '{name}' could not start" };
                Timers.StartSingleTimer($"retry-{name}", new RetryStart(name), RetryWhileHolding);
            }
            else
                Start(name, gate.Held); // the next incarnation recovers from the journal and takes what waited
        });
        Receive<RetryStart>(retry =>
        {
            if (!_gates.TryGetValue(retry.Name, out var gate) || gate.Phase != WriterPhase.Failed)
                return;
            if (gate.Held.Count == 0)
                _gates.Remove(retry.Name);
            else
                Start(retry.Name, gate.Held, gate.Reason);
        });
        Receive<ExpireHeld>(_ =>
        {
            // Only what waits on a failure expires: a first start under load (thousands of backends
            // queueing for recovery) is slow, not failing, and Akka's recovery timeout bounds it.
            var cutoff = NodeClock.Machine.UtcNow - HoldTimeout;
            foreach (var (name, gate) in _gates)
                if (gate.Reason is { } reason)
                    Refuse(gate.Held.TakeOlderThan(cutoff), $"backend '{name}' is not available: {reason}");
            foreach (var name in _gates.Where(g => g.Value.Phase == WriterPhase.Failed && g.Value.Held.Count == 0).Select(g => g.Key).ToList())
                _gates.Remove(name);
            if (_gates.Values.All(g => g.Held.Count == 0 || g.Reason is null))
                Timers.Cancel(nameof(ExpireHeld));
        });
    }
}
