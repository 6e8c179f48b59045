using Akka.Actor;

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

/// <summary>Commands held for a writer that cannot take them yet, with when each arrived.</summary>
public sealed class HeldMessages
{
    private readonly List<(object Message, IActorRef Sender, DateTime Since)> _items = [];

    public int Count => _items.Count;

    public void Add(object message, IActorRef sender, DateTime now) => _items.Add((message, sender, now));

    /// <summary>Everything held, in arrival order, and nothing held after.</summary>
    public IReadOnlyList<(object Message, IActorRef Sender)> TakeAll()
    {
        var all = _items.Select(i => (i.Message, i.Sender)).ToList();
        _items.Clear();
        return all;
    }

    /// <summary>What arrived before <paramref name="cutoff"/>, in arrival order; the rest stays held.</summary>
    public IReadOnlyList<(object Message, IActorRef Sender)> TakeOlderThan(DateTime cutoff)
    {
        var old = _items.Where(i => i.Since < cutoff).Select(i => (i.Message, i.Sender)).ToList();
        _items.RemoveAll(i => i.Since < cutoff);
        return old;
    }
}

/// <summary>A journal failure in words, for a caller told that its change was not stored.</summary>
public static class JournalFailure
{
    /// <summary>The journal's own words, without the stack: "the journal could not be written (SqliteException: …)".</summary>
    public static string Describe(Exception cause, string what = "the journal could not be written")
    {
        var root = cause.GetBaseException();
        return $"{what} ({root.GetType().Name}: {root.Message.TrimEnd('.')})";
    }
}
