using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.Sync;

/// <summary>
/// What one round asks of HAProxy; planned by <see cref="SyncState.Next"/>, run off the actor by
/// <see cref="SyncRound"/>. <see cref="Target"/> (everything HAProxy must serve) is only filled
/// for a reload: a runtime round builds nothing of the size of the whole state (<see cref="Applied"/>
/// is the state's immutable map, shared, not copied). <see cref="AppliedMaps"/> are the maps live
/// before the round, written with the config when the round does not change them, under the
/// frontend's <see cref="LiveLookup"/> (a change of lookup waits for a reload).
/// </summary>
public sealed record SyncJob(
    SyncPlan Plan,
    bool Reload,
    IReadOnlyDictionary<string, VersionedBackend> Applied,
    IReadOnlyDictionary<string, VersionedBackend> Target,
    IReadOnlyList<Route> Routes,
    bool WriteConfig,
    RouteMapsContent AppliedMaps,
    RouteLookup LiveLookup);

/// <summary>
/// What one round did. <see cref="Applied"/> holds the backends now served at a new version; after
/// a reload (<see cref="ReplacedAll"/>) it is everything HAProxy serves.
/// </summary>
public sealed record SyncOutcome(
    IReadOnlyDictionary<string, VersionedBackend> Applied,
    bool ReplacedAll,
    IReadOnlyList<(string Backend, string Error)> RuntimeFailures,
    int Commands,
    RuntimeTally Tally,
    RouteMapsContent? Maps,
    string? MapsError,
    IReadOnlyList<ServerRef> StillPending,
    CommitResult? Reload,
    IReadOnlyList<string> RefusedBackends,
    CommitResult? Written)
{
    /// <summary>
    /// Moves whose twins now serve: their servers still go out of the rotation, wait for their requests in
    /// flight and take the new address, outside the round (<see cref="SyncRound.FinishMovesAsync"/>), so the
    /// next changes of other backends do not wait for them.
    /// </summary>
    public IReadOnlyList<ServerMove> MovesToFinish { get; init; } = [];
}

/// <summary>
/// How finishing moves went: backends whose move HAProxy refused (a reload puts them right), twins
/// still draining (removed later), and servers moved with requests still in flight to the old address.
/// </summary>
public sealed record MovesOutcome(
    IReadOnlyList<string> Backends,
    IReadOnlyList<(string Backend, string Error)> Failures,
    IReadOnlyList<ServerRef> StillPending,
    IReadOnlyList<ServerRef> MovedInFlight);

/// <summary>The result of a reconcile: repairs made (commands on <see cref="Servers"/> servers), servers still waiting for removal, backends that need a reload.</summary>
public sealed record ReconcileOutcome(
    int Repaired, int Commands, int Servers, IReadOnlyList<ServerRef> StillPending, IReadOnlyList<string> MissingBackends, string? Error)
{
    /// <summary>HTTP/2 backends that got servers back at runtime (<see cref="DriftRepair.Unsettled"/>).</summary>
    public IReadOnlyList<string> Unsettled { get; init; } = [];
}

/// <summary>
/// Runs sync rounds against an <see cref="IHaproxyClient"/>: a reload when the plan needs one,
/// otherwise runtime commands (one pipelined batch), graceful removals, map replacement and a
/// rewrite of haproxy.cfg so it keeps equal to what is live. Only immutable inputs come in and a
/// result goes out: the actor applies it to its state.
/// </summary>
public static class SyncRound
{
    public static async Task<SyncOutcome> RunAsync(SyncJob job, SyncSettings settings, IHaproxyClient client, CancellationToken cancellationToken)
    {
        if (job.Reload)
            return await ReloadAsync(job, settings, client, cancellationToken).ConfigureAwait(false);

        var updated = new Dictionary<string, VersionedBackend>(StringComparer.Ordinal);
        var failures = new List<(string, string)>();
        var moves = job.Plan.Runtime.SelectMany(s => s.Moves).ToList();
        var connected = await ConnectedAsync(moves, job.Applied.Count, client, cancellationToken).ConfigureAwait(false);
        var stepCommands = job.Plan.Runtime
            .Select(s => s.Commands.Concat(s.Moves.SelectMany(m => connected.Contains(m) ? m.Start : m.Direct)).ToList()).ToList();
        var commands = stepCommands.SelectMany(c => c).ToList();
        var replies = commands.Count == 0 ? [] : await client.ExecuteAsync(commands, cancellationToken).ConfigureAwait(false);
        var offset = 0;
        for (var i = 0; i < job.Plan.Runtime.Count; offset += stepCommands[i].Count, i++)
        {
            var step = job.Plan.Runtime[i];
            if (replies.Skip(offset).Take(stepCommands[i].Count).FirstOrDefault(r => !r.Ok) is { } failed)
                failures.Add((step.Backend, failed.ToString()));
            else
                updated[step.Backend] = new VersionedBackend(step.Target, step.Version);
        }

        var toFinish = moves.Where(m => connected.Contains(m) && updated.ContainsKey(m.Backend)).ToList();
        var pending = new List<ServerRef>();
        var removals = job.Plan.Runtime
            .Where(s => updated.ContainsKey(s.Backend))
            .SelectMany(s => s.Removals.Select(server => new ServerRef(s.Backend, server)));
        var removed = 0;
        foreach (var server in removals)
            if (await client.RemoveServerAsync(server.Backend, server.Server, TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
                removed++;
            else
                pending.Add(server);
        var changed = Enumerable.Range(0, job.Plan.Runtime.Count)
            .Where(i => updated.ContainsKey(job.Plan.Runtime[i].Backend) && (stepCommands[i].Count > 0 || job.Plan.Runtime[i].Removals.Count > 0)).ToList();
        var tally = RuntimeTally.Of(changed.SelectMany(i => stepCommands[i]).ToList(), changed.Count, removed);

        RouteMapsContent? maps = null;
        string? mapsError = null;
        if (job.Plan.Maps is { } wanted)
        {
            // HAProxy knows only the maps its frontend looks up ("Unknown map identifier" otherwise);
            // one it does not look up yet is loaded from its file by the reload that adds the lookup.
            var mapReplies = new List<RuntimeReply>();
            if (job.LiveLookup.AnyHost)
                mapReplies.AddRange(await client.ReplaceMapAsync(settings.Layout.HostPathMap, wanted.HostPath, cancellationToken).ConfigureAwait(false));
            if (job.LiveLookup.Paths)
                mapReplies.AddRange(await client.ReplaceMapAsync(settings.Layout.PathMap, wanted.Path, cancellationToken).ConfigureAwait(false));
            var failed = mapReplies.FirstOrDefault(r => !r.Ok);
            if (failed is null)
                maps = wanted;
            else
                mapsError = failed.ToString();
        }

        CommitResult? written = null;
        if (job.WriteConfig)
        {
            var live = job.Applied.Where(a => !updated.ContainsKey(a.Key)).Select(a => a.Value.Backend)
                .Concat(updated.Values.Select(v => v.Backend)).ToList();
            // The map files take what is live, not a render over the live backends: routes to a
            // backend whose deletion waits for its reload already answer 503.
            var config = settings.Render(live, maps ?? job.AppliedMaps, job.LiveLookup);
            written = await client.CommitAsync(config, live, "runtime changes", reload: false, validate: false, cancellationToken).ConfigureAwait(false);
        }
        return new SyncOutcome(updated, ReplacedAll: false, failures, commands.Count, tally, maps, mapsError, pending, null, [], written)
        {
            MovesToFinish = toFinish,
        };
    }

    /// <summary>Which moves' servers hold a connection (<c>show servers conn</c>, one batch): those move by a twin. HAProxy serves <paramref name="served"/> backends.</summary>
    private static async Task<IReadOnlySet<ServerMove>> ConnectedAsync(IReadOnlyList<ServerMove> moves, int served, IHaproxyClient client,
        CancellationToken cancellationToken)
    {
        if (moves.Count == 0)
            return new HashSet<ServerMove>();
        var replies = await client.ExecuteAsync(ServerMoves.Queries(moves, served), cancellationToken).ConfigureAwait(false);
        return ServerMoves.Connected(moves, replies);
    }

    /// <summary>
    /// Finishes the moves whose twins a round added (<see cref="SyncOutcome.MovesToFinish"/>), beside the
    /// next rounds: takes each server out of the rotation, waits up to <see cref="SyncSettings.MoveDrainWait"/>
    /// for its requests in flight, gives it the new address and settings, and removes its twin.
    /// </summary>
    public static async Task<MovesOutcome> FinishMovesAsync(IReadOnlyList<ServerMove> moves, SyncSettings settings, int served, IHaproxyClient client,
        CancellationToken cancellationToken)
    {
        var failures = new List<(string, string)>();
        var twins = new List<ServerRef>();
        var inFlight = new List<ServerRef>();
        foreach (var result in await client.FinishMovesAsync(moves, settings.MoveDrainWait, served, cancellationToken).ConfigureAwait(false))
        {
            var backend = result.Move.Backend;
            if (result.Error is { } error)
            {
                failures.Add((backend, error));
                continue;
            }
            if (!result.Drained)
                inFlight.Add(new ServerRef(backend, result.Move.Target.Name));
            if (!result.TwinRemoved)
                twins.Add(new ServerRef(backend, result.Move.Twin));
        }
        return new MovesOutcome(Backends(moves), failures, twins, inFlight);
    }

    /// <summary>The backends <paramref name="moves"/> belong to, once each.</summary>
    public static IReadOnlyList<string> Backends(IReadOnlyList<ServerMove> moves) => moves.Select(m => m.Backend).Distinct(StringComparer.Ordinal).ToList();

    private static async Task<SyncOutcome> ReloadAsync(SyncJob job, SyncSettings settings, IHaproxyClient client, CancellationToken cancellationToken)
    {
        var backends = job.Target.Values.Select(v => v.Backend).ToList();
        var config = settings.Render(backends, job.Routes);
        var result = await client.CommitAsync(config, backends, job.Plan.ReloadReason ?? "configuration changed", reload: true, validate: true,
            cancellationToken).ConfigureAwait(false);
        var refused = result.Outcome == CommitOutcome.Invalid
            ? result.Errors.Select(e => e.Line is { } line ? ConfigSections.BackendAt(config.Config, line) : null)
                .OfType<string>().Distinct(StringComparer.Ordinal).ToList()
            : [];
        var maps = result.Succeeded ? SyncPlanner.BuildMaps(job.Routes, job.Target.Keys) : null;
        return result.Succeeded
            ? new SyncOutcome(job.Target, ReplacedAll: true, [], 0, RuntimeTally.None, maps, null, [], result, refused, null)
            : new SyncOutcome(new Dictionary<string, VersionedBackend>(), ReplacedAll: false, [], 0, RuntimeTally.None, maps, null, [], result, refused, null);
    }

    /// <summary>Reads what HAProxy serves, repairs drift from <paramref name="applied"/>, retries pending removals.</summary>
    public static async Task<ReconcileOutcome> ReconcileAsync(IReadOnlyDictionary<string, VersionedBackend> applied, IHaproxyClient client,
        TimeSpan moveDrainWait, CancellationToken cancellationToken)
    {
        var backendsReply = await client.ExecuteAsync([RuntimeCommands.ShowBackends()], cancellationToken).ConfigureAwait(false);
        if (!backendsReply[0].Ok)
            return new ReconcileOutcome(0, 0, 0, [], [], $"show backend failed: {backendsReply[0].Output}");
        var live = await client.ShowServersStateAsync(cancellationToken).ConfigureAwait(false);
        var liveBackends = RuntimeCommands.ParseBackends(backendsReply[0].Output);
        var repair = DriftPlanner.Plan(applied, liveBackends, live);
        var replies = repair.Commands.Count == 0 ? [] : await client.ExecuteAsync(repair.Commands, cancellationToken).ConfigureAwait(false);
        var (twins, moveCommands, moveError) = await MoveBackAsync(repair.Moves, liveBackends.Count, client, moveDrainWait, cancellationToken).ConfigureAwait(false);
        var pending = new List<ServerRef>(twins);
        foreach (var server in repair.Removals)
            if (!await client.RemoveServerAsync(server.Backend, server.Server, TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
                pending.Add(server);
        var error = replies.FirstOrDefault(r => !r.Ok)?.ToString() ?? moveError;
        return new ReconcileOutcome(repair.Count - repair.MissingBackends.Count - pending.Count, repair.Commands.Count + moveCommands, repair.Servers, pending,
            repair.MissingBackends, error) { Unsettled = repair.Unsettled };
    }

    /// <summary>
    /// Moves servers found at another address back to the applied one: those without connections
    /// directly, the others by twins, all in one batch (their commands counted), then the twins' moves finished together.
    /// </summary>
    private static async Task<(IReadOnlyList<ServerRef> Twins, int Commands, string? Error)> MoveBackAsync(IReadOnlyList<ServerMove> moves,
        int served, IHaproxyClient client, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (moves.Count == 0)
            return ([], 0, null);
        var connected = await ConnectedAsync(moves, served, client, cancellationToken).ConfigureAwait(false);
        var starts = moves.Select(m => connected.Contains(m) ? m.Start : m.Direct).ToList();
        var commands = starts.SelectMany(c => c).ToList();
        var replies = await client.ExecuteAsync(commands, cancellationToken).ConfigureAwait(false);
        string? error = null;
        var started = new List<ServerMove>();
        var offset = 0;
        for (var i = 0; i < moves.Count; offset += starts[i].Count, i++)
        {
            if (replies.Skip(offset).Take(starts[i].Count).FirstOrDefault(r => !r.Ok) is { } refused)
                error ??= refused.ToString(); // the server keeps its address; a twin left behind is removed as unknown next time
            else if (connected.Contains(moves[i]))
                started.Add(moves[i]);
        }
        var twins = new List<ServerRef>();
        foreach (var result in started.Count == 0 ? [] : await client.FinishMovesAsync(started, wait, served, cancellationToken).ConfigureAwait(false))
        {
            if (result.Error is { } refused)
                error ??= refused;
            else if (!result.TwinRemoved)
                twins.Add(new ServerRef(result.Move.Backend, result.Move.Twin));
        }
        return (twins, commands.Count, error);
    }
}
