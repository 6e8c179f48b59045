using System.Diagnostics;
using System.Globalization;
using Gateway.Shared.Model;

namespace Gateway.Actors.Haproxy.Runtime;

/// <summary>A server changing address while it takes requests, and the twin that serves the new address meanwhile.</summary>
public sealed record ServerMove(string Backend, BackendServer Target, string Twin);

/// <summary>What finishing a move came to.</summary>
/// <param name="Drained">The server's requests in flight to the old address ended before it got the new one.</param>
/// <param name="TwinRemoved">The twin is gone (else it is in maint with requests in flight: remove it later).</param>
/// <param name="Error">A command HAProxy refused: the backend needs a reload.</param>
public sealed record MoveResult(ServerMove Move, bool Drained, bool TwinRemoved, string? Error);

/// <summary>
/// A server taking requests changes address by a move, because HAProxy 2.6 keeps reusing the
/// connections it opened to the old address (its pool does not key them by address, and
/// <c>set server addr</c> closes only those idle at that instant): a busy keep-alive client would
/// stay on the old address for as long as it keeps going. A move adds a twin at the new address
/// (<see cref="Start"/>, in the round's batch), then <see cref="FinishAsync"/> takes the server out
/// of the rotation, waits for its requests in flight, gives it the new address (which closes its
/// now idle connections to the old one) and its settings, and removes the twin. No request is
/// refused on the way: the twin serves until the server is back.
/// </summary>
public static class ServerMoves
{
    /// <summary>An address or port change of a server in the rotation before and after; one in maint just changes address.</summary>
    public static bool Needed(RuntimeOperations.ServerSettings current, BackendServer target) =>
        (current.IP != target.IP || current.Port != target.Port)
        && current.State != ServerAdminState.Maint && target.State != ServerAdminState.Maint;

    /// <summary>The twin's name: ':' is valid in HAProxy and never in Gateway's names, so it cannot meet a real server.</summary>
    public static string TwinName(string server, Func<string, bool> taken)
    {
        var name = $"{server}:moving";
        for (var n = 2; taken(name); n++)
            name = $"{server}:moving{n.ToString(CultureInfo.InvariantCulture)}";
        return name;
    }

    /// <summary>The twin, added in the rotation at the new address with the server's settings; counted as the server's move.</summary>
    public static IReadOnlyList<RuntimeCommand> Start(Backend backend, BackendServer target, string twin)
    {
        var commands = RuntimeOperations.AddServer(backend, target with { Name = twin }).ToList();
        commands[0] = commands[0] with { Change = ServerChange.Address };
        return commands;
    }

    /// <summary>Finishes moves whose twins serve, each step one batch for all of them; waits up to <paramref name="wait"/> for requests in flight.</summary>
    public static async Task<IReadOnlyList<MoveResult>> FinishAsync(RuntimeApiClient client, IReadOnlyList<ServerMove> moves, TimeSpan wait,
        CancellationToken cancellationToken = default)
    {
        var errors = new string?[moves.Count];
        var maint = await client.ExecuteAsync(
            moves.Select(m => RuntimeCommands.SetState(m.Backend, m.Target.Name, ServerAdminState.Maint)).ToList(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < moves.Count; i++)
            errors[i] = maint[i].Ok ? null : maint[i].ToString();

        var drained = await AwaitDrainedAsync(client, moves, errors, wait, cancellationToken).ConfigureAwait(false);

        var live = Enumerable.Range(0, moves.Count).Where(i => errors[i] is null).ToList();
        var settings = await client.ExecuteAsync(live.SelectMany(i => Settings(moves[i])).ToList(), cancellationToken).ConfigureAwait(false);
        for (var k = 0; k < live.Count; k++)
            if (settings.Skip(k * 3).Take(3).FirstOrDefault(r => !r.Ok) is { } refused)
                errors[live[k]] = refused.ToString();

        var twins = Enumerable.Range(0, moves.Count).Where(i => errors[i] is null).ToList();
        var removed = await RuntimeOperations.TryRemoveServersAsync(client, twins.Select(i => (moves[i].Backend, moves[i].Twin)).ToList(),
            cancellationToken).ConfigureAwait(false);
        var twinRemoved = new bool[moves.Count];
        for (var k = 0; k < twins.Count; k++)
            twinRemoved[twins[k]] = removed[k];
        return moves.Select((m, i) => new MoveResult(m, drained[i], twinRemoved[i], errors[i])).ToList();
    }

    /// <summary>Polls <c>show servers conn</c> (one per backend, one batch) until no moving server carries a request, or the wait is over.</summary>
    private static async Task<bool[]> AwaitDrainedAsync(RuntimeApiClient client, IReadOnlyList<ServerMove> moves, string?[] errors, TimeSpan wait,
        CancellationToken cancellationToken)
    {
        var drained = new bool[moves.Count];
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var waiting = Enumerable.Range(0, moves.Count).Where(i => errors[i] is null && !drained[i]).ToList();
            var backends = waiting.Select(i => moves[i].Backend).Distinct(StringComparer.Ordinal).ToList();
            if (backends.Count == 0)
                return drained;
            var replies = await client.ExecuteAsync(backends.Select(RuntimeCommands.ShowServersConnections).ToList(), cancellationToken).ConfigureAwait(false);
            var output = backends.Zip(replies, (backend, reply) => (backend, text: reply.Ok ? reply.Output : ""))
                .ToDictionary(p => p.backend, p => p.text, StringComparer.Ordinal);
            foreach (var i in waiting)
                drained[i] = ServerStates.UsedConnections(output[moves[i].Backend], moves[i].Backend, moves[i].Target.Name) == 0;
            if (waited.Elapsed >= wait)
                return drained;
            if (waiting.Any(i => !drained[i]))
                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
        }
    }

    private static RuntimeCommand[] Settings(ServerMove move) =>
    [
        RuntimeCommands.SetAddress(move.Backend, move.Target.Name, move.Target.IP, move.Target.Port),
        RuntimeCommands.SetWeight(move.Backend, move.Target.Name, move.Target.EffectiveWeight),
        RuntimeCommands.SetState(move.Backend, move.Target.Name, move.Target.State),
    ];
}
