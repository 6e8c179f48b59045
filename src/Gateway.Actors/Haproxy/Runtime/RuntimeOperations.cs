using System.Diagnostics;
using System.Globalization;
using Gateway.Shared.Model;

namespace Gateway.Actors.Haproxy.Runtime;

/// <summary>
/// The runtime changes that take more than one command: adding a server (it starts in maint),
/// removing one gracefully, and replacing a map atomically (map_beg matches in file order, and
/// <c>add map</c> appends, so a new route could land behind a less specific one).
/// </summary>
public static class RuntimeOperations
{
    /// <summary>add server (in maint) → enable health if checked → the desired admin state.</summary>
    public static IReadOnlyList<RuntimeCommand> AddServer(Backend backend, BackendServer server)
    {
        var commands = new List<RuntimeCommand>(3) { RuntimeCommands.AddServer(backend, server) };
        if (backend.EffectiveHealthCheck.Enabled)
            commands.Add(RuntimeCommands.EnableHealth(backend.Name, server.Name));
        if (server.State != ServerAdminState.Maint)
            commands.Add(RuntimeCommands.SetState(backend.Name, server.Name, server.State) with { Change = ServerChange.None }); // part of the add
        return commands;
    }

    /// <summary>A server's runtime-changeable state: what HAProxy has, or what Gateway applied.</summary>
    public readonly record struct ServerSettings(string IP, int Port, int Weight, ServerAdminState State)
    {
        public static ServerSettings Of(BackendServer server) => new(server.IP, server.Port, server.EffectiveWeight, server.State);

        /// <summary>Nothing known: every setting is sent.</summary>
        public static readonly ServerSettings Unknown = new("", 0, -1, (ServerAdminState)(-1));
    }

    /// <summary>The commands that take an existing server from <paramref name="current"/> to <paramref name="target"/>.</summary>
    public static IEnumerable<RuntimeCommand> Converge(string backend, ServerSettings current, BackendServer target)
    {
        if (current.IP != target.IP || current.Port != target.Port)
            yield return RuntimeCommands.SetAddress(backend, target.Name, target.IP, target.Port);
        if (current.Weight != target.EffectiveWeight)
            yield return RuntimeCommands.SetWeight(backend, target.Name, target.EffectiveWeight);
        if (current.State != target.State)
            yield return RuntimeCommands.SetState(backend, target.Name, target.State);
    }

    /// <summary>
    /// Puts the server in maint (no new requests from now on), then deletes it once HAProxy lets
    /// go of it: 2.6 refuses <c>del server</c> while a request is in flight, and
    /// <c>shutdown sessions</c> would turn those requests into 502s. Returns false if it is still
    /// there (in maint, taking nothing) when <paramref name="wait"/> runs out; the caller retries later.
    /// </summary>
    public static async Task<bool> RemoveServerAsync(RuntimeApiClient client, string backend, string server, TimeSpan wait,
        CancellationToken cancellationToken = default)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if ((await TryRemoveServersAsync(client, [(backend, server)], cancellationToken).ConfigureAwait(false))[0])
                return true;
            if (waited.Elapsed >= wait)
                return false;
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One try at removing each server, each step one batch for all: maint, <c>del server</c>, and
    /// for those HAProxy refused, their idle connections closed and <c>del server</c> again (idle
    /// connections hold a server too, for pool-purge-delay and longer; closing them loses nothing).
    /// True for each server that is gone.
    /// </summary>
    public static async Task<bool[]> TryRemoveServersAsync(RuntimeApiClient client, IReadOnlyList<(string Backend, string Server)> servers,
        CancellationToken cancellationToken = default)
    {
        var gone = new bool[servers.Count];
        var maint = await client.ExecuteAsync(servers.Select(s => RuntimeCommands.SetState(s.Backend, s.Server, ServerAdminState.Maint)).ToList(),
            cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < servers.Count; i++)
            gone[i] = IsGone(maint[i].Output);
        for (var pass = 0; pass < 2; pass++)
        {
            var left = Enumerable.Range(0, servers.Count).Where(i => !gone[i]).ToList();
            if (left.Count == 0)
                break;
            var commands = new List<RuntimeCommand>(left.Count * 3);
            var deletes = new List<int>(left.Count);
            foreach (var (backend, server) in left.Select(i => servers[i]))
            {
                if (pass == 1)
                    commands.AddRange(CloseIdleConnections(backend, server));
                deletes.Add(commands.Count);
                commands.Add(RuntimeCommands.DeleteServer(backend, server));
            }
            var replies = await client.ExecuteAsync(commands, cancellationToken).ConfigureAwait(false);
            for (var k = 0; k < left.Count; k++)
                gone[left[k]] = replies[deletes[k]].Ok || IsGone(replies[deletes[k]].Output);
        }
        return gone;
    }

    /// <summary>
    /// HAProxy 2.6 has no command that closes a server's idle connections, but an address change
    /// does (and nothing else: requests in flight finish). Only for a server in maint that is
    /// being deleted: it takes no request at the placeholder address. Two placeholders, so the
    /// address changes whatever it was.
    /// </summary>
    private static RuntimeCommand[] CloseIdleConnections(string backend, string server) =>
        [RuntimeCommands.SetAddress(backend, server, "127.0.0.1", 1), RuntimeCommands.SetAddress(backend, server, "127.0.0.1", 2)];

    /// <summary>Replaces a map's whole content in one step: prepare a version, fill it, commit it.</summary>
    public static async Task<IReadOnlyList<RuntimeReply>> ReplaceMapAsync(RuntimeApiClient client, string map,
        IReadOnlyList<RouteMaps.Entry> entries, CancellationToken cancellationToken = default)
    {
        var prepare = await client.ExecuteAsync(RuntimeCommands.PrepareMap(map), cancellationToken).ConfigureAwait(false);
        if (!prepare.Ok)
            return [prepare];
        var version = int.Parse(prepare.Output["New version created:".Length..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        var adds = new List<RuntimeCommand>(entries.Count);
        foreach (var entry in entries)
            adds.Add(RuntimeCommands.AddMapEntry(version, map, entry.Key, entry.Backend));
        var replies = await client.ExecuteAsync(adds, cancellationToken).ConfigureAwait(false);
        if (replies.Any(r => !r.Ok))
            return [prepare, .. replies]; // the version is never committed: the live map stays as it was
        var commit = await client.ExecuteAsync(RuntimeCommands.CommitMap(version, map), cancellationToken).ConfigureAwait(false);
        return [prepare, .. replies, commit];
    }

    /// <summary>HAProxy's answer when the backend or server does not exist (any more).</summary>
    public static bool IsGone(string reply) =>
        reply.StartsWith("No such server", StringComparison.Ordinal) || reply.StartsWith("No such backend", StringComparison.Ordinal)
        || reply.StartsWith("Can't find backend", StringComparison.Ordinal);
}
