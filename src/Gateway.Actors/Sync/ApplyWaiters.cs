using Akka.Actor;
using Gateway.Actors.Scheduling;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Sync;

/// <summary>
/// Callers waiting for a backend or the routes to be served at a version: answered as soon as the
/// sync applies it, fails it, or their deadline passes.
/// </summary>
internal sealed class ApplyWaiters
{
    private readonly List<(object Request, IActorRef Sender, DateTime Deadline)> _waiting = [];

    public bool Any => _waiting.Count > 0;

    public void Add(object request, IActorRef sender, TimeSpan timeout) => _waiting.Add((request, sender, NodeClock.Machine.UtcNow + timeout));

    /// <summary>Answers every waiter <paramref name="answer"/> has a reply for, and those past their deadline with <paramref name="timedOut"/>.</summary>
    public void Settle(Func<object, object?> answer, string timedOut)
    {
        var now = NodeClock.Machine.UtcNow;
        _waiting.RemoveAll(w =>
        {
            var reply = answer(w.Request) ?? (now >= w.Deadline ? new ApplyFailed(timedOut) : null);
            if (reply is null)
                return false;
            w.Sender.Tell(reply);
            return true;
        });
    }
}
