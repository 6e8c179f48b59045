using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Cluster;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Routes;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Route = Gateway.Shared.Model.Route;

namespace Gateway.Node.Admin;

/// <summary>/api/routes: list, set (the seed's AddBackendRoute) and delete.</summary>
public static class RouteEndpoints
{
    public static void MapRoutes(this RouteGroupBuilder api)
    {
        // read from the node's desired-state view: it answers even while the routes' writer waits for the journal
        api.MapGet("/routes", async (IRequiredActor<DesiredStateActor> desired) =>
        {
            var list = await desired.ActorRef.Ask<RoutesList>(GetRoutes.Instance, AdminApi.AskTimeout);
            return AdminJson.Ok(new { version = list.Version, routes = list.Routes });
        });
        api.MapPut("/routes", PutRoute);
        api.MapDelete("/routes", DeleteRoute);
    }

    /// <summary>
    /// PUT /api/routes: <c>{"host","path","backend"}</c>. A route to a backend that does not exist is
    /// stored (the backend may come later) and answers 503 meanwhile; the answer warns about it.
    /// </summary>
    private static async Task<IResult> PutRoute(HttpRequest request, bool? wait, IRequiredActor<RoutesWriter> routes,
        IRequiredActor<DesiredStateActor> desired, IRequiredActor<ServedEverywhereActor> everywhere)
    {
        if (AdminJson.ReadRoute(await AdminApi.ReadBody(request)) is var (route, errors) && route is null)
            return Problems.Invalid("Invalid route", errors);
        var reply = await routes.ActorRef.Ask<object>(new SetRoute(route, "admin-api"), AdminApi.AskTimeout);
        if (reply is not RouteAccepted)
            return await RouteReply(reply, wait, everywhere, route.Backend, []);
        var exists = await desired.ActorRef.Ask<object>(new GetBackend(route.Backend), AdminApi.AskTimeout) is BackendFound;
        string[] warnings = exists ? [] : [$"backend '{route.Backend}' does not exist: requests to {route.Key} answer 503 until it does"];
        return await RouteReply(reply, wait, everywhere, route.Backend, warnings);
    }

    /// <summary>DELETE /api/routes with the route as body (<c>{"host","path"}</c>) or as query (<c>?host=…&amp;path=…</c>).</summary>
    private static async Task<IResult> DeleteRoute(HttpRequest request, string? host, string? path, bool? wait,
        IRequiredActor<RoutesWriter> routes, IRequiredActor<ServedEverywhereActor> everywhere)
    {
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            if (AdminJson.Read<RouteRef>(await AdminApi.ReadBody(request)) is var (target, errors) && target is null)
                return Problems.Invalid("Invalid route", errors);
            (host, path) = (target.Host, target.Path);
        }
        var reply = await routes.ActorRef.Ask<object>(new RemoveRoute(host ?? "", path ?? "", "admin-api"), AdminApi.AskTimeout);
        return await RouteReply(reply, wait, everywhere, null, []);
    }

    private static async Task<IResult> RouteReply(object reply, bool? wait, IRequiredActor<ServedEverywhereActor> everywhere, string? backend, string[] warnings)
    {
        switch (reply)
        {
            case RouteAccepted accepted:
                object body = warnings.Length == 0
                    ? new { host = accepted.Host, path = accepted.Path, backend, version = accepted.Version, changed = accepted.Changed }
                    : new { host = accepted.Host, path = accepted.Path, backend, version = accepted.Version, changed = accepted.Changed, warnings };
                return wait == true
                    ? await ServedWait.OkWhenServed(everywhere.ActorRef, [AwaitServed.Routes(accepted.Version, AdminApi.ApplyTimeout)], body)
                    : AdminJson.Ok(body);
            case RouteRejected rejected:
                return Problems.Invalid("Invalid route", rejected.Errors);
            case RouteNotFound missing:
                return Problems.NotFound($"No route for host '{missing.Host}' and path '{missing.Path}'");
            default:
                return Problems.Unexpected(reply);
        }
    }

    /// <summary>A route's identity in a DELETE body.</summary>
    private sealed record RouteRef(string Host = "", string Path = "");
}
