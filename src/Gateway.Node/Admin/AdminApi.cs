using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Backends;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Routes;
using Gateway.Actors.Sync;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Route = Gateway.Shared.Model.Route;
using Gateway.Shared.Serialization;
using Gateway.Shared.Validation;

namespace Gateway.Node.Admin;

/// <summary>
/// The admin HTTP API on the node's own Kestrel: backends and routes in the seed's JSON, the sync
/// status, health and readiness. Every call under /api needs <c>Authorization: Bearer &lt;token&gt;</c>.
/// </summary>
public static class AdminApi
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(30);

    public static void MapAdminApi(this WebApplication app, AdminToken token)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", async (IRequiredActor<HaproxySyncActor> sync) =>
        {
            var status = await sync.ActorRef.Ask<SyncStatus>(GetSyncStatus.Instance, AskTimeout);
            return status.Ready ? Results.Text("ready\n") : Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });

        var api = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
        {
            if (token.Matches(context.HttpContext.Request.Headers.Authorization))
                return await next(context);
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem("Send Authorization: Bearer <token> (the token is in the data dir's admin.token unless configured).",
                statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        });

        api.MapGet("/backends", async (IRequiredActor<DesiredStateActor> desired) =>
        {
            var list = await desired.ActorRef.Ask<BackendsList>(GetBackends.Instance, AskTimeout);
            return Json(new BackendList { Backends = list.Backends.Select(b => b.Backend).ToList() });
        });
        api.MapGet("/backends/{name}", async (string name, IRequiredActor<DesiredStateActor> desired) =>
            await desired.ActorRef.Ask<object>(new GetBackend(name), AskTimeout) switch
            {
                BackendFound found => Json(found.Backend.Backend),
                _ => Problems.NotFound($"No backend '{name}'"),
            });
        api.MapPost("/backends", PostBackends);
        api.MapPut("/backends/{name}", PutBackend);
        api.MapDelete("/backends/{name}", DeleteBackend);

        api.MapGet("/routes", async (IRequiredActor<RoutesActor> routes) =>
        {
            var list = await routes.ActorRef.Ask<RoutesList>(GetRoutes.Instance, AskTimeout);
            return Json(new { version = list.Version, routes = list.Routes });
        });
        api.MapPut("/routes", PutRoute);
        api.MapDelete("/routes", DeleteRoute);

        api.MapGet("/status", async (IRequiredActor<HaproxySyncActor> sync) =>
            Json(await sync.ActorRef.Ask<SyncStatus>(GetSyncStatus.Instance, AskTimeout)));
    }

    private static IResult Json(object value) => Results.Json(value, GatewayJson.Options);

    /// <summary>PUT /api/backends/{name}: the body is the backend (its name may be left out). <c>?wait=true</c> answers once HAProxy serves it.</summary>
    private static async Task<IResult> PutBackend(string name, HttpRequest request, bool? wait,
        IRequiredActor<BackendManagerActor> manager, IRequiredActor<HaproxySyncActor> sync)
    {
        if (Rules.Name(name) is { } nameError)
            return Problems.Invalid("Invalid backend", [new ValidationError("name", nameError)]);
        var body = await ReadBody(request);
        if (!GatewayJson.TryDeserialize<Backend>(body, out var backend, out var error)
            && error is { Field: "name", Message: "is required" } && JsonNode.Parse(body) is JsonObject json)
        {
            json["name"] = name; // the URL names it
            GatewayJson.TryDeserialize(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), out backend, out error);
        }
        if (backend is null)
            return Problems.Invalid("Invalid backend", [error!]);
        if (backend!.Name != name)
            return Problems.Invalid("Invalid backend", [new ValidationError("name", $"must be '{name}', as in the URL")]);
        var errors = BackendValidator.Validate(backend);
        if (errors.Count > 0)
            return Problems.Invalid("Invalid backend", errors);

        var reply = await manager.ActorRef.Ask<object>(new UpsertBackend(backend, "admin-api"), AskTimeout);
        return reply switch
        {
            BackendAccepted accepted when wait == true => await Applied(sync, accepted.BackendName, accepted.Version,
                new { name = accepted.BackendName, version = accepted.Version, changed = accepted.Changed }),
            BackendAccepted accepted => Json(new { name = accepted.BackendName, version = accepted.Version, changed = accepted.Changed }),
            BackendRejected rejected => Problems.Invalid("Invalid backend", rejected.Errors),
            Status.Failure failure => Problems.Unavailable($"Not stored: {failure.Cause.Message}"),
            _ => Problems.Unavailable($"Unexpected reply {reply.GetType().Name}"),
        };
    }

    /// <summary>
    /// POST /api/backends: the seed's document (<c>{"backends":[…]}</c>), each backend created or
    /// replaced; backends not listed are left alone. The whole document is validated first: one bad
    /// field refuses it all (400, fields named <c>backends[i].…</c>) and stores nothing. Answers
    /// <c>{"backends":[{"name","version","changed"}…]}</c>; <c>?wait=true</c> once HAProxy serves them all.
    /// </summary>
    private static async Task<IResult> PostBackends(HttpRequest request, bool? wait,
        IRequiredActor<BackendManagerActor> manager, IRequiredActor<HaproxySyncActor> sync)
    {
        if (!GatewayJson.TryDeserialize<BackendList>(await ReadBody(request), out var list, out var error))
            return Problems.Invalid("Invalid backends", [error!]);
        var errors = BackendValidator.Validate(list!);
        if (errors.Count > 0)
            return Problems.Invalid("Invalid backends", errors);

        var replies = await Task.WhenAll(list!.Backends.Select(backend =>
            manager.ActorRef.Ask<object>(new UpsertBackend(backend, "admin-api"), AskTimeout)));
        var accepted = new List<BackendAccepted>(replies.Length);
        for (var i = 0; i < replies.Length; i++)
        {
            switch (replies[i])
            {
                case BackendAccepted ok:
                    accepted.Add(ok);
                    break;
                // validated above, so only a rule of the actor's own (none today); the other backends were sent and may be stored
                case BackendRejected rejected:
                    return Problems.Invalid($"Backend '{rejected.BackendName}' refused; the others in the document may be stored",
                        rejected.Errors.Select(e => e.Under($"backends[{i}]")));
                case Status.Failure failure:
                    return Problems.Unavailable($"Backend '{list.Backends[i].Name}' not stored ({failure.Cause.Message}); the others in the document may be");
                default:
                    return Problems.Unavailable($"Unexpected reply {replies[i].GetType().Name}");
            }
        }
        var body = new { backends = accepted.Select(a => new { name = a.BackendName, version = a.Version, changed = a.Changed }) };
        if (wait != true)
            return Json(body);
        foreach (var a in accepted.Where(a => a.Changed))
            if (await NotApplied(sync, a.BackendName, a.Version) is { } problem)
                return problem;
        return Json(body);
    }

    private static async Task<IResult> DeleteBackend(string name, bool? wait, IRequiredActor<BackendManagerActor> manager, IRequiredActor<HaproxySyncActor> sync)
    {
        var reply = await manager.ActorRef.Ask<object>(new RemoveBackend(name, "admin-api"), AskTimeout);
        return reply switch
        {
            BackendRemoved removed when wait == true => await Applied(sync, name, removed.Version, new { name, version = removed.Version }),
            BackendRemoved removed => Json(new { name, version = removed.Version }),
            BackendNotFound => Problems.NotFound($"No backend '{name}'"),
            Status.Failure failure => Problems.Unavailable($"Not stored: {failure.Cause.Message}"),
            _ => Problems.Unavailable($"Unexpected reply {reply.GetType().Name}"),
        };
    }

    private static async Task<IResult> PutRoute(HttpRequest request, bool? wait, IRequiredActor<RoutesActor> routes, IRequiredActor<HaproxySyncActor> sync)
    {
        if (!GatewayJson.TryDeserialize<Route>(await ReadBody(request), out var route, out var error))
            return Problems.Invalid("Invalid route", [error!]);
        var errors = RouteValidator.Validate(route!);
        if (errors.Count > 0)
            return Problems.Invalid("Invalid route", errors);
        return await RouteReply(await routes.ActorRef.Ask<object>(new SetRoute(route!, "admin-api"), AskTimeout), wait, sync, route!.Backend);
    }

    /// <summary>DELETE /api/routes with the route as body (<c>{"host","path"}</c>) or as query (<c>?host=…&amp;path=…</c>).</summary>
    private static async Task<IResult> DeleteRoute(HttpRequest request, string? host, string? path, bool? wait,
        IRequiredActor<RoutesActor> routes, IRequiredActor<HaproxySyncActor> sync)
    {
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            if (!GatewayJson.TryDeserialize<RouteRef>(await ReadBody(request), out var target, out var error))
                return Problems.Invalid("Invalid route", [error!]);
            (host, path) = (target!.Host, target.Path);
        }
        return await RouteReply(await routes.ActorRef.Ask<object>(new RemoveRoute(host ?? "", path ?? "", "admin-api"), AskTimeout), wait, sync, null);
    }

    private static async Task<IResult> RouteReply(object reply, bool? wait, IRequiredActor<HaproxySyncActor> sync, string? backend) => reply switch
    {
        RouteAccepted accepted when wait == true => await RoutesApplied(sync, accepted.Version,
            new { host = accepted.Host, path = accepted.Path, backend, version = accepted.Version, changed = accepted.Changed }),
        RouteAccepted accepted => Json(new { host = accepted.Host, path = accepted.Path, backend, version = accepted.Version, changed = accepted.Changed }),
        RouteRejected rejected => Problems.Invalid("Invalid route", rejected.Errors),
        RouteNotFound missing => Problems.NotFound($"No route for host '{missing.Host}' and path '{missing.Path}'"),
        Status.Failure failure => Problems.Unavailable($"Not stored: {failure.Cause.Message}"),
        _ => Problems.Unavailable($"Unexpected reply {reply.GetType().Name}"),
    };

    private static async Task<IResult> Applied(IRequiredActor<HaproxySyncActor> sync, string name, long version, object body) =>
        await NotApplied(sync, name, version) ?? Json(body);

    /// <summary>Waits until HAProxy serves the backend at this version: null, or the problem to answer.</summary>
    private static async Task<IResult?> NotApplied(IRequiredActor<HaproxySyncActor> sync, string name, long version) =>
        await sync.ActorRef.Ask<object>(new AwaitApplied(name, version, ApplyTimeout), ApplyTimeout + AskTimeout) switch
        {
            AppliedOk => null,
            ApplyFailed failed => Results.Problem(failed.Reason, statusCode: StatusCodes.Status502BadGateway, title: "Stored, but HAProxy does not serve it"),
            var other => Problems.Unavailable($"Unexpected reply {other.GetType().Name}"),
        };

    private static async Task<IResult> RoutesApplied(IRequiredActor<HaproxySyncActor> sync, long version, object body) =>
        await sync.ActorRef.Ask<object>(new AwaitRoutesApplied(version, ApplyTimeout), ApplyTimeout + AskTimeout) switch
        {
            AppliedOk => Json(body),
            ApplyFailed failed => Results.Problem(failed.Reason, statusCode: StatusCodes.Status502BadGateway, title: "Stored, but HAProxy does not serve it"),
            var other => Problems.Unavailable($"Unexpected reply {other.GetType().Name}"),
        };

    /// <summary>A route's identity in a DELETE body.</summary>
    private sealed record RouteRef(string Host = "", string Path = "");

    /// <summary>The body's bytes, at most 1 MiB.</summary>
    private static async Task<byte[]> ReadBody(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
