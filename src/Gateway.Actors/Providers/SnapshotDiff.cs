using Gateway.Shared.Model;

namespace Gateway.Actors.Providers;

/// <summary>Turns two successive snapshots of a source into the seed's events: ADD for new names, UPDATE for changed ones, DELETE for those gone.</summary>
public static class SnapshotDiff
{
    public static IReadOnlyList<BackendEvent> Changes(IReadOnlyDictionary<string, Backend> previous, IReadOnlyList<Backend> current)
    {
        var events = new List<BackendEvent>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var backend in current)
        {
            seen.Add(backend.Name);
            if (!previous.TryGetValue(backend.Name, out var before))
                events.Add(BackendEvent.Add(backend));
            else if (!before.Equals(backend))
                events.Add(BackendEvent.Update(backend));
        }
        foreach (var name in previous.Keys.Order(StringComparer.Ordinal))
            if (!seen.Contains(name))
                events.Add(BackendEvent.Delete(name));
        return events;
    }
}
