namespace Gateway.Actors.Persistence;

/// <summary>
/// Told by a persistent writer (a backend, the routes) to its parent once it has read its journal:
/// the parent holds commands for a writer until then, so none is stashed in a writer whose
/// recovery may still fail (a persistent actor that fails recovery stops, and what it stashed is lost).
/// </summary>
public sealed record WriterReady(string Key);

/// <summary>
/// Told by a persistent writer to its parent just before it stops because the journal failed: a
/// write (<paramref name="WasReady"/>: it had recovered) or its recovery. The parent holds what
/// comes for it meanwhile, and answers it <see cref="Gateway.Shared.Messages.NotStored"/> if the
/// journal is still failing.
/// </summary>
public sealed record WriterStopping(string Key, string Reason, bool WasReady);

/// <summary>
/// Told by a writer to its parent when it recovered with nothing to keep it for (a backend that does
/// not exist): the parent may stop it, after whatever it already sent it, with <see cref="StopIfIdle"/>.
/// </summary>
public sealed record WriterIdle(string Key);

/// <summary>
/// From the parent, after whatever it sent the writer before: stop if still idle, else answer
/// <see cref="WriterStillNeeded"/> (a change made it needed meanwhile).
/// </summary>
public sealed class StopIfIdle
{
    public static readonly StopIfIdle Instance = new();
}

/// <summary>The writer's answer to <see cref="StopIfIdle"/> when a change arrived before it: it keeps running.</summary>
public sealed record WriterStillNeeded(string Key);

/// <summary>
/// The writer moves to another node (a shard handing off, the routes' singleton handing over): the
/// stop message sharding and the singleton send instead of a <c>PoisonPill</c>. A writer gets it after
/// its writes in flight (a persistent actor holds commands while it persists) and stops once they are
/// answered; a PoisonPill stopped it at once, and the caller of a write in flight waited for an answer
/// that never came.
/// </summary>
public sealed class StopAfterWrites
{
    public static readonly StopAfterWrites Instance = new();
}
