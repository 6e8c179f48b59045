using System.Diagnostics;
using System.Globalization;
using Gateway.Shared.Model;

namespace Gateway.Actors.Haproxy.Runtime;

/// <summary>
/// A server in the rotation changing address, and the twin that serves the new address meanwhile.
/// <see cref="Direct"/> is what it takes when the server holds no connection (nothing to move: its
/// settings are set at once), <see cref="Start"/> the twin's commands otherwise.
/// </summary>
public sealed record ServerMove(string Backend, BackendServer Target, string Twin)
{
    public IReadOnlyList<RuntimeCommand> Direct { get; init; } = [];

    public IReadOnlyList<RuntimeCommand> Start { get; init; } = [];
}

/// <summary>What finishing a move came to.</summary>
/// <param name="Drained">The server's requests in flight to the old address ended before it got the new one.</param>
/// <param name="TwinRemoved">The twin is gone (else it is in maint with requests in flight: remove it later).</param>
/// <param name="Error">A command HAProxy refused: the backend needs a reload.</param>
public sealed record MoveResult(ServerMove Move, bool Drained, bool TwinRemoved, string? Error);

/// <summary>
/// A server taking requests changes address by a move, because HAProxy 2.6 keeps reusing the
/// connections it opened to the old address (its pool does not key them by address, and
/// <c>set server addr</c> closes only those idle at that instant): a busy keep-alive client would
/// stay on the old address for as long as it keeps going. A server holding no connection (by
/// <c>show servers conn</c> just before) has nothing to move and gets its settings at once. One that
/// does gets a twin at the new address (in the round's batch), then <see cref="FinishAsync"/> takes
/// the server out of the rotation, waits for its requests in flight, gives it the new address (which
/// closes its now idle connections to the old one) and its settings, and removes the twin. No
/// request is refused on the way: the twin serves until the server is back.
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

    /// <summary>A move of <paramref name="target"/> from <paramref name="current"/>, both ways ready.</summary>
    public static ServerMove Plan(Backend backend, RuntimeOperations.ServerSettings current, BackendServer target, string twin)
    {
        var start = RuntimeOperations.AddServer(backend, target with { Name = twin }).ToList();
        start[0] = start[0] with { Change = ServerChange.Address }; // the twin's addition counts as the server's move
        return new ServerMove(backend.Name, target, twin) { Direct = RuntimeOperations.Converge(backend.Name, current, target).ToList(), Start = start };
    }

    /// <summary>
    /// One <c>show servers conn</c> of every backend costs HAProxy about what one per backend costs
    /// for this share of them: 2.1 µs a backend listed against 11 µs a query (5,000 backends of one
    /// server: the whole list in 10–11 ms, 200 queries in 2–3 ms, 1,000 in 12 ms).
    /// </summary>
    public const int WholeDumpShare = 5;

    /// <summary>
    /// <c>show servers conn</c> for each backend of <paramref name="moves"/>, to learn which servers
    /// hold connections; one of them all when the moves touch a <see cref="WholeDumpShare"/>th of the
    /// <paramref name="served"/> backends or more.
    /// </summary>
    /// <param name="served">How many backends HAProxy serves.</param>
    public static IReadOnlyList<RuntimeCommand> Queries(IEnumerable<ServerMove> moves, int served)
    {
        var backends = moves.Select(m => m.Backend).Distinct(StringComparer.Ordinal).ToList();
        return backends.Count * WholeDumpShare >= served
            ? [RuntimeCommands.ShowServersConnections()]
            : backends.Select(RuntimeCommands.ShowServersConnections).ToList();
    }

    /// <summary>The moves whose server holds a connection, from the replies to <see cref="Queries"/>; a server HAProxy did not report counts as holding one.</summary>
    public static IReadOnlySet<ServerMove> Connected(IReadOnlyList<ServerMove> moves, IReadOnlyList<RuntimeReply> replies)
    {
        var connections = ConnectionsIn(replies);
        return moves.Where(m => !connections.TryGetValue(new ServerRef(m.Backend, m.Target.Name), out var c) || c.Any).ToHashSet();
    }

    /// <summary>Every server the replies list (a reply HAProxy refused lists none).</summary>
    private static Dictionary<ServerRef, ServerConnections> ConnectionsIn(IReadOnlyList<RuntimeReply> replies)
    {
        var all = new Dictionary<ServerRef, ServerConnections>();
        foreach (var reply in replies.Where(r => r.Ok))
            foreach (var (server, connections) in ServerStates.Connections(reply.Output))
                all[server] = connections;
        return all;
    }

    /// <summary>Finishes moves whose twins serve, each step one batch for all of them; waits up to <paramref name="wait"/> for requests in flight.</summary>
    public static async Task<IReadOnlyList<MoveResult>> FinishAsync(RuntimeApiClient client, IReadOnlyList<ServerMove> moves, TimeSpan wait, int served,
        CancellationToken cancellationToken = default)
    {
        var errors = new string?[moves.Count];
        var maint = await client.ExecuteAsync(
            moves.Select(m => RuntimeCommands.SetState(m.Backend, m.Target.Name, ServerAdminState.Maint)).ToList(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < moves.Count; i++)
            errors[i] = maint[i].Ok ? null : maint[i].ToString();

        var drained = await AwaitDrainedAsync(client, moves, errors, wait, served, cancellationToken).ConfigureAwait(false);

        var live = Enumerable.Range(0, moves.Count).Where(i => errors[i] is null).ToList();
        var settings = await client.ExecuteAsync(live.SelectMany(i => Settings(moves[i])).ToList(), cancellationToken).ConfigureAwait(false);
        for (var k = 0; k < live.Count; k++)
            if (settings.Skip(k * SettingsPerMove).Take(SettingsPerMove).FirstOrDefault(r => !r.Ok) is { } refused)
                errors[live[k]] = refused.ToString();

        var twins = Enumerable.Range(0, moves.Count).Where(i => errors[i] is null).ToList();
        var removed = await RuntimeOperations.TryRemoveServersAsync(client, twins.Select(i => (moves[i].Backend, moves[i].Twin)).ToList(),
            cancellationToken).ConfigureAwait(false);
        var twinRemoved = new bool[moves.Count];
        for (var k = 0; k < twins.Count; k++)
            twinRemoved[twins[k]] = removed[k];
        return moves.Select((m, i) => new MoveResult(m, drained[i], twinRemoved[i], errors[i])).ToList();
    }

    /// <summary>Polls <c>show servers conn</c> (<see cref="Queries"/>, one batch) until no moving server carries a request, or the wait is over.</summary>
    private static async Task<bool[]> AwaitDrainedAsync(RuntimeApiClient client, IReadOnlyList<ServerMove> moves, string?[] errors, TimeSpan wait,
        int served, CancellationToken cancellationToken)
    {
        var drained = new bool[moves.Count];
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var waiting = Enumerable.Range(0, moves.Count).Where(i => errors[i] is null && !drained[i]).ToList();
            if (waiting.Count == 0)
                return drained;
            var connections = ConnectionsIn(await client.ExecuteAsync(Queries(waiting.Select(i => moves[i]), served), cancellationToken).ConfigureAwait(false));
            foreach (var i in waiting)
                drained[i] = connections.TryGetValue(new ServerRef(moves[i].Backend, moves[i].Target.Name), out var c) && c.Used == 0;
            if (waited.Elapsed >= wait)
                return drained;
            if (waiting.Any(i => !drained[i]))
                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
        }
    }

    private const int SettingsPerMove = 3;

    /// <summary>The server's address, weight and admin state (<see cref="SettingsPerMove"/> commands).</summary>
    private static RuntimeCommand[] Settings(ServerMove move) =>
    [
        RuntimeCommands.SetAddress(move.Backend, move.Target.Name, move.Target.IP, move.Target.Port),
        RuntimeCommands.SetWeight(move.Backend, move.Target.Name, move.Target.EffectiveWeight),
        RuntimeCommands.SetState(move.Backend, move.Target.Name, move.Target.State),
    ];
}
