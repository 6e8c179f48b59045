using Akka.Actor;
using Akka.Event;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.Providers;

/// <summary>
/// The provider actor's window of unanswered commands: past <see cref="MaxInFlight"/> it stops
/// taking from the channel, the channel fills, and the provider waits, so a source faster than the
/// journal slows down instead of growing mailboxes. The same in every state: answers to an earlier
/// generation's commands still count.
/// </summary>
public sealed partial class ProviderActor
{
    private sealed record StreamInit(long Generation);
    private sealed record Received(long Generation, BackendEvent Event);
    private sealed class Ack
    {
        public static readonly Ack Instance = new();
    }
    private sealed class Stalled
    {
        public static readonly Stalled Instance = new();
    }

    private const string StallTimer = "stall";

    /// <summary>Commands sent to the manager and not answered yet, at most.</summary>
    public const int MaxInFlight = 1000;

    /// <summary>A full window with no answer for this long means answers were lost (a backend actor died with its mailbox): it is reopened.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(30);

    private int _inFlight;
    private IActorRef? _waitingForAck;

    private void Window()
    {
        Receive<StreamInit>(_ => Sender.Tell(Ack.Instance));
        Receive<Received>(received =>
        {
            if (received.Generation != _generation)
            {
                Sender.Tell(Ack.Instance);
                return;
            }
            _manager.Tell(ToCommand(received.Event));
            if (++_inFlight < MaxInFlight)
                Sender.Tell(Ack.Instance);
            else
            {
                _waitingForAck = Sender;
                Timers.StartSingleTimer(StallTimer, Stalled.Instance, _stallTimeout);
            }
        });
        Receive<Stalled>(_ =>
        {
            _log.Warning("Provider [{Provider}]: [{Count}] changes unanswered for [{Seconds}] s; taking further changes", _name, _inFlight,
                _stallTimeout.TotalSeconds);
            _inFlight = 0;
            Answered(counted: false);
        });
        Receive<BackendAccepted>(accepted =>
        {
            Answered();
            if (accepted.Changed)
                _log.Debug("Provider [{Provider}]: backend [{Backend}] at version [{Version}]", _name, accepted.BackendName, accepted.Version);
        });
        Receive<BackendRemoved>(removed =>
        {
            Answered();
            _log.Debug("Provider [{Provider}]: backend [{Backend}] removed", _name, removed.BackendName);
        });
        Receive<BackendNotFound>(_ => Answered());
        Receive<BackendRejected>(rejected =>
        {
            Answered();
            _log.Warning("Provider [{Provider}] reported an invalid backend [{Backend}]: {Errors}", _name, rejected.BackendName,
                string.Join("; ", rejected.Errors));
        });
        Receive<NotStored>(notStored =>
        {
            Answered();
            _log.Warning("Provider [{Provider}]: a change was not stored: {Reason}", _name, notStored.Reason);
        });
    }

    /// <summary>A new stream starts: the previous one has ended, so nothing waits for room any more.</summary>
    private void ResetWindow()
    {
        _waitingForAck = null;
        Timers.Cancel(StallTimer);
    }

    /// <summary>A command was answered (or the window reopened): take the next change if the stream waits for room.</summary>
    private void Answered(bool counted = true)
    {
        if (counted && _inFlight > 0)
            _inFlight--;
        if (_waitingForAck is null || _inFlight >= MaxInFlight)
            return;
        Timers.Cancel(StallTimer);
        _waitingForAck.Tell(Ack.Instance);
        _waitingForAck = null;
    }

    private object ToCommand(BackendEvent evt) => evt.Type == BackendEventType.Delete
        ? new RemoveBackend(evt.Backend.Name, Source)
        : new UpsertBackend(evt.Backend, Source);
}
