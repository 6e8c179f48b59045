using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Cluster;
using Gateway.Actors.Backends;
using Gateway.Actors.DesiredState;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Node.Admin;

/// <summary>/api/backends: list, read, create or replace (one or a document of many), delete.</summary>
public static class BackendEndpoints
{
    public static void MapBackends(this RouteGroupBuilder api)
    {
        api.MapGet("/backends", async (IRequiredActor<DesiredStateActor> desired) =>
        {
            var list = await desired.ActorRef.Ask<BackendsList>(GetBackends.Instance, AdminApi.AskTimeout);
            return AdminJson.Ok(new BackendList { Backends = list.Backends.Select(b => b.Backend).ToList() });
        });
        api.MapGet("/backends/{name}", async (string name, IRequiredActor<DesiredStateActor> desired) =>
            await desired.ActorRef.Ask<object>(new GetBackend(name), AdminApi.AskTimeout) switch
            {
                BackendFound found => AdminJson.Ok(found.Backend.Backend),
                _ => Problems.NotFound($"No backend '{name}'"),
            });
        api.MapPost("/backends", PostBackends);
        api.MapPut("/backends/{name}", PutBackend);
        api.MapDelete("/backends/{name}", DeleteBackend);
    }

    /// <summary>PUT /api/backends/{name}: the body is the backend (its name may be left out). <c>?wait=true</c> answers once HAProxy serves it.</summary>
    private static async Task<IResult> PutBackend(string name, HttpRequest request, bool? wait,
        IRequiredActor<BackendWriters> manager, IRequiredActor<ServedEverywhereActor> everywhere)
    {
        if (Rules.Name(name) is { } nameError)
            return Problems.Invalid("Invalid backend", [new ValidationError("name", nameError)]);
        if (AdminJson.ReadBackend(await AdminApi.ReadBody(request), name) is var (backend, errors) && backend is null)
            return Problems.Invalid("Invalid backend", errors);

        var reply = await manager.ActorRef.Ask<object>(new UpsertBackend(backend, "admin-api"), AdminApi.AskTimeout);
        return reply switch
        {
            BackendAccepted accepted when wait == true => await ServedWait.OkWhenServed(everywhere.ActorRef,
                [AwaitServed.Backend(accepted.BackendName, accepted.Version, AdminApi.ApplyTimeout)], Accepted(accepted)),
            BackendAccepted accepted => AdminJson.Ok(Accepted(accepted)),
            BackendRejected rejected => Problems.Invalid("Invalid backend", rejected.Errors),
            _ => Problems.Unexpected(reply),
        };
    }

    /// <summary>
    /// POST /api/backends: the seed's document (<c>{"backends":[…]}</c>), each backend created or
    /// replaced; backends not listed are left alone. The whole document is validated first: one bad
    /// field refuses it all (400, fields named <c>backends[i].…</c>) and stores nothing. Answers
    /// <c>{"backends":[{"name","version","changed"}…]}</c>; <c>?wait=true</c> once HAProxy serves them all.
    /// </summary>
    private static async Task<IResult> PostBackends(HttpRequest request, bool? wait,
        IRequiredActor<BackendWriters> manager, IRequiredActor<ServedEverywhereActor> everywhere)
    {
        if (AdminJson.ReadBackends(await AdminApi.ReadBody(request)) is var (list, errors) && list is null)
            return Problems.Invalid("Invalid backends", errors);

        var replies = await Task.WhenAll(list.Backends.Select(backend =>
            manager.ActorRef.Ask<object>(new UpsertBackend(backend, "admin-api"), AdminApi.AskTimeout)));
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
                case NotStored notStored:
                    return Problems.NotStored($"Backend '{list.Backends[i].Name}' was not stored ({notStored.Reason}); the others in the document may be");
                default:
                    return Problems.Unexpected(replies[i]);
            }
        }
        var body = new { backends = accepted.Select(Accepted) };
        return wait == true
            ? await ServedWait.OkWhenServed(everywhere.ActorRef,
                accepted.Where(a => a.Changed).Select(a => AwaitServed.Backend(a.BackendName, a.Version, AdminApi.ApplyTimeout)), body)
            : AdminJson.Ok(body);
    }

    private static async Task<IResult> DeleteBackend(string name, bool? wait, IRequiredActor<BackendWriters> manager, IRequiredActor<ServedEverywhereActor> everywhere)
    {
        var reply = await manager.ActorRef.Ask<object>(new RemoveBackend(name, "admin-api"), AdminApi.AskTimeout);
        return reply switch
        {
            BackendRemoved removed when wait == true => await ServedWait.OkWhenServed(everywhere.ActorRef,
                [AwaitServed.Backend(name, removed.Version, AdminApi.ApplyTimeout)], new { name, version = removed.Version }),
            BackendRemoved removed => AdminJson.Ok(new { name, version = removed.Version }),
            BackendNotFound => Problems.NotFound($"No backend '{name}'"),
            _ => Problems.Unexpected(reply),
        };
    }

    private static object Accepted(BackendAccepted a) => new { name = a.BackendName, version = a.Version, changed = a.Changed };
}
