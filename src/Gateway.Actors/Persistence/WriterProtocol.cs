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
