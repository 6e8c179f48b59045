using System.Text.Json;
using Akka.Actor;
using Gateway.Actors.Cluster;
using Gateway.Shared.Serialization;

namespace Gateway.Node.Admin;

/// <summary>
/// <c>?wait=true</c>: answers a stored change once every reachable node's HAProxy serves it. In a
/// cluster the answer names them (<c>servedBy</c>) and any member that could not be asked
/// (<c>unreachable</c>); a node that did not serve it within the timeout makes the answer a 502
/// that names it.
/// </summary>
public static class ServedWait
{
    public static async Task<IResult> OkWhenServed(IActorRef everywhere, IEnumerable<AwaitServed> waits, object body)
    {
        ServedReport? last = null;
        // One after the other: each sync settles all its waiters on every change, so a document of thousands
        // waited side by side would cost it thousands of checks per change; once the first is served most of
        // the rest are too, and each costs one round trip.
        foreach (var wait in waits)
        {
            last = await everywhere.Ask<ServedReport>(wait, wait.Timeout + ServedEverywhereActor.Margin + AdminApi.AskTimeout);
            if (!last.Served)
                return Problems.NotServed(last);
        }
        if (last is not { Clustered: true })
            return AdminJson.Ok(body);
        var answer = JsonSerializer.SerializeToNode(body, GatewayJson.Options)!.AsObject();
        answer["servedBy"] = JsonSerializer.SerializeToNode(last.Nodes.Select(n => n.Node), GatewayJson.Options);
        if (last.Unreachable.Count > 0)
            answer["unreachable"] = JsonSerializer.SerializeToNode(last.Unreachable, GatewayJson.Options);
        return AdminJson.Ok(answer);
    }
}
