using Akka.Actor;
using Akka.Event;

namespace Gateway.Actors.Persistence;

/// <summary>
/// The warning that a writer could not read its journal: once per writer per <see cref="Window"/> (per
/// actor system), the rest at debug. During an outage every command starts its writer again (so that
/// the first command after the journal is back is stored), each start fails, and each failure was a
/// warning: 2,389 lines for 6 backends in the 20 s outage of the three-node spec; a provider moving
/// thousands of backends would have logged thousands a second. The next warning says how many starts
/// failed in between.
/// </summary>
public sealed class RecoveryFailureLog : IExtension
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly WarningThrottle _throttle = new(Window);

    public static RecoveryFailureLog For(ActorSystem system) => system.WithExtension<RecoveryFailureLog, RecoveryFailureLogProvider>();

    /// <summary>Logs that the writer <paramref name="persistenceId"/> stops because it could not read its journal.</summary>
    public void Stopping(ILoggingAdapter log, string persistenceId, string reason)
    {
        var (warn, quiet) = _throttle.Next(persistenceId, DateTime.UtcNow);
        if (!warn)
            log.Debug("Writer [{PersistenceId}] stops: {Reason}", persistenceId, reason);
        else if (quiet == 0)
            log.Warning("Writer [{PersistenceId}] stops: {Reason}", persistenceId, reason);
        else
            log.Warning("Writer [{PersistenceId}] stops: {Reason}; [{Quiet}] more of its starts failed since its last warning", persistenceId, reason, quiet);
    }
}

/// <summary>Akka's extension id of <see cref="RecoveryFailureLog"/>.</summary>
public sealed class RecoveryFailureLogProvider : ExtensionIdProvider<RecoveryFailureLog>
{
    public override RecoveryFailureLog CreateExtension(ExtendedActorSystem system) => new();
}
