using System.Collections.Immutable;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Actors.Routes;

/// <summary>
/// All routes, keyed by their normalised host and path, who set each (its source: "admin-api",
/// "demo", …), and the logic deciding what a command means: refused, unchanged, or events to persist.
/// </summary>
public sealed record RoutesState(ImmutableSortedDictionary<RouteKey, Route> Routes, ImmutableDictionary<RouteKey, string> Sources)
{
    public static readonly RoutesState Empty = new(ImmutableSortedDictionary.Create<RouteKey, Route>(RouteKeyComparer.Instance),
        ImmutableDictionary<RouteKey, string>.Empty);

    public IReadOnlyList<Route> List => [.. Routes.Values];

    public (object Reply, IRouteEvent? Event) Process(SetRoute command, long version)
    {
        var errors = RouteValidator.Validate(command.Route);
        if (errors.Count > 0)
            return (new RouteRejected(errors), null);
        var route = command.Route.Normalized();
        if (Routes.TryGetValue(route.Key, out var existing) && existing == route)
            return (new RouteAccepted(route.Host, route.Path, version, Changed: false), null);
        return (new RouteAccepted(route.Host, route.Path, version + 1, Changed: true), new RouteSet(route, command.Source));
    }

    public (object Reply, IRouteEvent? Event) Process(RemoveRoute command, long version)
    {
        var key = new Route { Host = command.Host ?? "", Path = command.Path ?? "", Backend = "-" }.Key;
        return Routes.ContainsKey(key)
            ? (new RouteAccepted(key.Host, key.Path, version + 1, Changed: true), new RouteRemoved(key.Host, key.Path, command.Source))
            : (new RouteNotFound(command.Host ?? "", command.Path ?? ""), null);
    }

    /// <summary>One removal per route that <paramref name="source"/> set (and nobody changed since).</summary>
    public IReadOnlyList<IRouteEvent> RemoveAllFrom(string source, string by) =>
        Sources.Where(s => s.Value == source).Select(s => s.Key).Order(RouteKeyComparer.Instance)
            .Select(key => (IRouteEvent)new RouteRemoved(key.Host, key.Path, by)).ToList();

    public RoutesState Apply(IRouteEvent evt) => evt switch
    {
        RouteSet set => new(Routes.SetItem(set.Route.Key, set.Route), Sources.SetItem(set.Route.Key, set.Source)),
        RouteRemoved removed => new(Routes.Remove(new RouteKey(removed.Host, removed.Path)), Sources.Remove(new RouteKey(removed.Host, removed.Path))),
        _ => this,
    };

    public RoutesSnapshot ToSnapshot() => new(List, [.. Routes.Keys.Select(k => Sources.GetValueOrDefault(k, ""))]);

    public static RoutesState FromSnapshot(RoutesSnapshot snapshot)
    {
        var routes = snapshot.Routes.ToImmutableSortedDictionary(r => r.Key, r => r, RouteKeyComparer.Instance);
        var sources = snapshot.Sources is { } known && known.Count == snapshot.Routes.Count
            ? snapshot.Routes.Zip(known, (route, source) => (route.Key, Source: source)).Where(p => p.Source.Length > 0).ToImmutableDictionary(p => p.Key, p => p.Source)
            : ImmutableDictionary<RouteKey, string>.Empty;
        return new RoutesState(routes, sources);
    }

    /// <summary>Orders routes by host, then path: a stable order for listing and for the history.</summary>
    private sealed class RouteKeyComparer : IComparer<RouteKey>
    {
        public static readonly RouteKeyComparer Instance = new();

        public int Compare(RouteKey x, RouteKey y)
        {
            var host = string.CompareOrdinal(x.Host, y.Host);
            return host != 0 ? host : string.CompareOrdinal(x.Path, y.Path);
        }
    }
}
