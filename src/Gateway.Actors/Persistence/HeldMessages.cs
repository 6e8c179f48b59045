using Akka.Actor;

namespace Gateway.Actors.Persistence;

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
