using Akka.Event;
using Gateway.Actors.Scheduling;

namespace Gateway.Actors.Sync;

/// <summary>
/// The Information line of what rounds changed at runtime: a round alone is logged at once; under
/// load, rounds (hundreds a second) are summed into one line a second. A line per round cost a
/// quarter of the throughput of one PUT per change, in Serilog's console writes.
/// </summary>
public sealed partial class HaproxySyncActor
{
    private const string RoundLogTimer = "round-log";

    private static readonly TimeSpan RoundLogInterval = TimeSpan.FromSeconds(1);

    private RuntimeTally _unlogged = RuntimeTally.None;
    private int _unloggedRounds;
    private DateTime _lastRoundLog = DateTime.MinValue;

    private void LogRound(RuntimeTally tally)
    {
        _unlogged = _unlogged.Plus(tally);
        _unloggedRounds++;
        var due = _lastRoundLog + RoundLogInterval - NodeClock.Machine.UtcNow;
        if (due <= TimeSpan.Zero)
            LogRounds();
        else if (!Timers.IsTimerActive(RoundLogTimer))
            Timers.StartSingleTimer(RoundLogTimer, Tick.RoundLog, due);
    }

    private void LogRounds()
    {
        if (_unloggedRounds == 0)
            return;
        var t = _unlogged;
        if (_unloggedRounds == 1)
            _log.Info("Applied [{Commands}] runtime commands to [{Backends}] backends: [{Moved}] servers moved, [{Added}] added, [{Removed}] removed, "
                + "[{Weights}] weights and [{States}] admin states set",
                new object[] { t.Commands, t.Backends, t.Moved, t.Added, t.Removed, t.Weights, t.States });
        else
            _log.Info("Applied [{Commands}] runtime commands in [{Rounds}] rounds ([{Backends}] backend updates): [{Moved}] servers moved, [{Added}] added, "
                + "[{Removed}] removed, [{Weights}] weights and [{States}] admin states set",
                new object[] { t.Commands, _unloggedRounds, t.Backends, t.Moved, t.Added, t.Removed, t.Weights, t.States });
        _unlogged = RuntimeTally.None;
        _unloggedRounds = 0;
        _lastRoundLog = NodeClock.Machine.UtcNow;
        Timers.Cancel(RoundLogTimer);
    }
}
