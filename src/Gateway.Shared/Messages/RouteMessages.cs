using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Shared.Messages;

/// <summary>Adds a route or points an existing one (same host and path) at another backend: the seed's AddBackendRoute. Replies <see cref="RouteAccepted"/> or <see cref="RouteRejected"/>.</summary>
public sealed record SetRoute(Route Route, string Source) : IGatewayMessage
{
    /// <summary>The seed's <c>AddBackendRoute(host, path, backend)</c>: "" for any host or any path.</summary>
    public static SetRoute AddBackendRoute(string host, string path, string backend, string source = "api") =>
        new(new Route { Host = host, Path = path, Backend = backend }, source);
}

/// <summary>Deletes the route for a host and path. Replies <see cref="RouteAccepted"/> or <see cref="RouteNotFound"/>.</summary>
public sealed record RemoveRoute(string Host, string Path, string Source) : IGatewayMessage;

/// <summary>Asks for every route. Replies <see cref="RoutesList"/>.</summary>
public sealed record GetRoutes : IGatewayMessage
{
    public static readonly GetRoutes Instance = new();
}

public sealed record RouteAccepted(string Host, string Path, long Version, bool Changed) : IGatewayMessage;

public sealed record RouteRejected(IReadOnlyList<ValidationError> Errors) : IGatewayMessage;

public sealed record RouteNotFound(string Host, string Path) : IGatewayMessage;

/// <summary>All routes at a version of the routes actor.</summary>
public sealed record RoutesList(long Version, IReadOnlyList<Route> Routes) : IGatewayMessage;

/// <summary>Journal events of the routes actor (persistence id <c>routes</c>).</summary>
public interface IRouteEvent : IGatewayMessage;

public sealed record RouteSet(Route Route, string Source) : IRouteEvent;

public sealed record RouteRemoved(string Host, string Path, string Source) : IRouteEvent;

/// <summary>Snapshot of the routes actor.</summary>
/// <param name="Sources">Who set each route, in the order of <see cref="Routes"/>; null in snapshots written before sources were kept.</param>
public sealed record RoutesSnapshot(IReadOnlyList<Route> Routes, IReadOnlyList<string>? Sources = null) : IGatewayMessage;
