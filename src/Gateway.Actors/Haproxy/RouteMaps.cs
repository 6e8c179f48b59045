using System.Text;
using Gateway.Shared.Model;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// Turns routes into the two map files the frontend looks requests up in. Keys end with '/' and
/// the request's key is host + path + '/', so a prefix match on whole segments falls out of
/// <c>map_beg</c>: <c>/api/</c> is a prefix of <c>/api/</c> and <c>/api/x/</c>, not of
/// <c>/apiary/</c>. <c>map_beg</c> takes the first match in file order, so entries are sorted
/// longest key first: the most specific route wins.
/// </summary>
public static class RouteMaps
{
    /// <summary>
    /// The backend a route's entry names while its own backend does not exist: it answers 503 and
    /// still shadows less specific routes (ingress-nginx answers 503 for a missing service too),
    /// where leaving the entry out sent the route's traffic to whichever route matched next.
    /// User backend names start with a letter or digit (<see cref="Gateway.Shared.Validation.Rules.Name"/>), so '_' cannot collide.
    /// </summary>
    public const string MissingBackend = "_missing_backend";

    /// <summary>One map entry: a lookup key and the backend it selects.</summary>
    public readonly record struct Entry(string Key, string Backend);

    /// <summary>The entries of both maps; a route whose backend is not in <paramref name="backendNames"/> selects <see cref="MissingBackend"/>.</summary>
    public static RouteMapsContent Build(
        IEnumerable<Route> routes, IReadOnlySet<string> backendNames)
    {
        var hostPath = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var key = route.Key;
            var target = key.Host.Length == 0 ? path : hostPath;
            target[key.Host + key.Path + "/"] = backendNames.Contains(route.Backend) ? route.Backend : MissingBackend;
        }
        return new RouteMapsContent(Sort(hostPath), Sort(path));
    }

    /// <summary>The routes whose backend does not exist, normalised and sorted by host and path.</summary>
    public static IReadOnlyList<Route> Dangling(IEnumerable<Route> routes, Func<string, bool> exists) =>
        routes.Where(r => !exists(r.Backend))
            .Select(r => r.Normalized())
            .OrderBy(r => r.Host, StringComparer.Ordinal)
            .ThenBy(r => r.Path, StringComparer.Ordinal)
            .ToList();

    public static string Format(IReadOnlyList<Entry> entries)
    {
        var text = new StringBuilder(entries.Count * 40);
        foreach (var entry in entries)
            text.Append(entry.Key).Append(' ').Append(entry.Backend).Append('\n');
        return text.ToString();
    }

    private static List<Entry> Sort(Dictionary<string, string> entries) =>
        entries
            .OrderByDescending(e => e.Key.Length)
            .ThenBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new Entry(e.Key, e.Value))
            .ToList();
}

/// <summary>The content of both route maps.</summary>
public sealed record RouteMapsContent(IReadOnlyList<RouteMaps.Entry> HostPath, IReadOnlyList<RouteMaps.Entry> Path)
{
    public static readonly RouteMapsContent Empty = new([], []);

    public bool SameAs(RouteMapsContent other) => HostPath.SequenceEqual(other.HostPath) && Path.SequenceEqual(other.Path);
}

/// <summary>
/// Which lookups the frontend renders. Each costs CPU on every request (measured in
/// <c>bench/ DataPlaneBench</c>), so the frontend asks only what the routes can answer: no host
/// lookup without a host route, no wildcard rewrite of the Host header without a wildcard route,
/// no path lookup without a route that names no host. The maps change at runtime; a change of
/// lookup needs a reload (see <see cref="Gateway.Actors.Sync.SyncPlanner"/>).
/// </summary>
public readonly record struct RouteLookup(bool Hosts, bool Wildcards, bool Paths)
{
    public bool AnyHost => Hosts || Wildcards;

    public static RouteLookup Of(IEnumerable<Route> routes)
    {
        var lookup = new RouteLookup();
        foreach (var route in routes)
        {
            if (route.Host.Length == 0)
                lookup = lookup with { Paths = true };
            else if (route.Host.StartsWith("*.", StringComparison.Ordinal))
                lookup = lookup with { Wildcards = true };
            else
                lookup = lookup with { Hosts = true };
        }
        return lookup;
    }

    public override string ToString()
    {
        var parts = new List<string>(3);
        if (Hosts)
            parts.Add("host");
        if (Wildcards)
            parts.Add("wildcard host");
        if (Paths)
            parts.Add("path");
        return parts.Count == 0 ? "none" : string.Join(" + ", parts);
    }
}
