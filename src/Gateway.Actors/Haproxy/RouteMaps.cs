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
/// no path in the host lookup when every host route serves its whole host (<see cref="HostPaths"/>),
/// and no path lookup without a route that names no host, or when the only such route catches
/// every path: then that route's backend is the frontend's default (<see cref="CatchAll"/>).
/// The maps change at runtime; a change of lookup, the catch-all's backend included, needs a
/// reload (see <see cref="Gateway.Actors.Sync.SyncPlanner"/>).
/// </summary>
/// <param name="Hosts">Some route names an exact host.</param>
/// <param name="Wildcards">Some route names a wildcard host (<c>*.example.com</c>).</param>
/// <param name="HostPaths">Some host route names a path below <c>/</c>: the host lookup adds the request's path.</param>
/// <param name="Paths">Some route names no host and a path below <c>/</c>: the frontend looks the path up.</param>
/// <param name="CatchAll">The backend of the route that names no host and <c>/</c>, when it is the only route without a host.</param>
public readonly record struct RouteLookup(bool Hosts, bool Wildcards, bool Paths, bool HostPaths = false, string? CatchAll = null)
{
    public bool AnyHost => Hosts || Wildcards;

    public static RouteLookup Of(IEnumerable<Route> routes)
    {
        var lookup = new RouteLookup();
        string? catchAll = null;
        foreach (var route in routes)
        {
            var key = route.Key;
            if (key.Host.Length == 0)
            {
                if (key.Path.Length == 0)
                    catchAll = route.Backend;
                else
                    lookup = lookup with { Paths = true };
                continue;
            }
            lookup = key.Host.StartsWith("*.", StringComparison.Ordinal) ? lookup with { Wildcards = true } : lookup with { Hosts = true };
            if (key.Path.Length > 0)
                lookup = lookup with { HostPaths = true };
        }
        if (catchAll is null)
            return lookup;
        // Beside other path routes the catch-all is the path map's last entry, looked up with them.
        return lookup.Paths ? lookup : lookup with { CatchAll = catchAll };
    }

    public override string ToString()
    {
        var parts = new List<string>(4);
        if (Hosts)
            parts.Add(HostPaths ? "host + path" : "host");
        if (Wildcards)
            parts.Add(HostPaths ? "wildcard host + path" : "wildcard host");
        if (Paths)
            parts.Add("path");
        if (CatchAll is { } backend)
            parts.Add($"catch-all {backend}");
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
