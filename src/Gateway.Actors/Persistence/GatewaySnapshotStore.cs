using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Akka.Persistence.Sql.Snapshot;

namespace Gateway.Actors.Persistence;

/// <summary>
/// Akka.Persistence.Sql's snapshot store, answering every request while its circuit breaker is
/// half open. In Akka 1.5.73 a half-open breaker lets one call through and throws
/// <see cref="OpenCircuitException"/> at the next caller instead of failing its task (the open
/// state fails the task): the exception escaped the store's receive, the store restarted, and the
/// writer that asked for its snapshot got no answer and waited out its 30 s recovery timeout
/// (seen after a database outage, when two writers recovered at once). Here the caller gets the
/// failure the store answers for a failed call, and recovers or retries as it does after any.
/// The journal needs no such guard: checked against the same hung database, it answers a replay
/// refused by its half-open breaker with <c>ReplayMessagesFailure</c>.
/// </summary>
public sealed class GatewaySnapshotStore(Config config) : SqlSnapshotStore(config)
{
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (OpenCircuitException e) when (FailureFor(message, e) is { } failure)
        {
            Context.GetLogger().Debug("Snapshot store's circuit breaker is half open: [{Request}] fails fast", message.GetType().Name);
            Sender.Tell(failure, Self);
            return true;
        }
    }

    /// <summary>What the store answers <paramref name="request"/> when its call fails, or null for a message that is no request.</summary>
    public static object? FailureFor(object request, Exception cause) => request switch
    {
        LoadSnapshot => new LoadSnapshotFailed(cause),
        SaveSnapshot save => new SaveSnapshotFailure(save.Metadata, cause),
        DeleteSnapshot delete => new DeleteSnapshotFailure(delete.Metadata, cause),
        DeleteSnapshots delete => new DeleteSnapshotsFailure(delete.Criteria, cause),
        _ => null,
    };
}
