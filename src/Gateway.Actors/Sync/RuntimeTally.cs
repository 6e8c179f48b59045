using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;

namespace Gateway.Actors.Sync;

/// <summary>
/// What sync rounds changed at runtime, counted for their log line: under load a round carries
/// thousands of changes and hundreds of rounds run a second, so they are summed, never logged one by one.
/// </summary>
public sealed record RuntimeTally(int Commands, int Backends, int Moved, int Added, int Removed, int Weights, int States)
{
    public static readonly RuntimeTally None = new(0, 0, 0, 0, 0, 0, 0);

    public bool Changed => Commands > 0 || Removed > 0;

    /// <summary>Both rounds' counts (backends are counted once per round that changed them).</summary>
    public RuntimeTally Plus(RuntimeTally other) => new(Commands + other.Commands, Backends + other.Backends, Moved + other.Moved,
        Added + other.Added, Removed + other.Removed, Weights + other.Weights, States + other.States);

    /// <param name="applied">The commands HAProxy took (those of backends whose step succeeded).</param>
    /// <param name="backends">The backends those commands and removals changed.</param>
    /// <param name="removed">Servers deleted (not those still waiting for their requests to end).</param>
    public static RuntimeTally Of(IReadOnlyCollection<RuntimeCommand> applied, int backends, int removed)
    {
        int moved = 0, added = 0, weights = 0, states = 0;
        foreach (var command in applied)
        {
            switch (command.Change)
            {
                case ServerChange.Address: moved++; break;
                case ServerChange.Added: added++; break;
                case ServerChange.Weight: weights++; break;
                case ServerChange.State: states++; break;
            }
        }
        return new RuntimeTally(applied.Count, backends, moved, added, removed, weights, states);
    }
}

/// <summary>What a runtime replacement of the route maps put live, for its log line.</summary>
public static class MapsTally
{
    /// <summary>Entries in both maps, and how many of them answer 503 because their backend does not exist.</summary>
    public static (int Entries, int Missing) Of(RouteMapsContent maps) =>
        (maps.HostPath.Count + maps.Path.Count,
         maps.HostPath.Count(e => e.Backend == RouteMaps.MissingBackend) + maps.Path.Count(e => e.Backend == RouteMaps.MissingBackend));
}
