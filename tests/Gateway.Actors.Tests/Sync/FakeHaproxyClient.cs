using System.Diagnostics;
using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// An <see cref="IHaproxyClient"/> that records every call and answers like a healthy HAProxy,
/// for the sync actor's specs only: it lets a spec hold a call until it releases it (to see what
/// piles up meanwhile) and inject faults. HAProxy itself is covered by the integration specs.
/// "Live" state is the backends of the last successful commit: what <c>show backend</c> and
/// <c>show servers state</c> report.
/// </summary>
public sealed class FakeHaproxyClient(HaproxyLayout layout) : IHaproxyClient
{
    public abstract record Call(TimeSpan At);

    public sealed record Execute(IReadOnlyList<string> Commands, TimeSpan At) : Call(At);

    public sealed record Commit(RenderedConfig Config, IReadOnlyList<string> Backends, string Reason, bool Reload, bool Validate,
        CommitResult Result, TimeSpan At) : Call(At);

    public sealed record ReplaceMap(string Map, IReadOnlyList<RouteMaps.Entry> Entries, TimeSpan At) : Call(At);

    public sealed record RemoveServer(string Backend, string Server, TimeSpan At) : Call(At);

    public sealed record FinishMoves(IReadOnlyList<string> Moves, TimeSpan At) : Call(At);

    /// <summary>A call held until the spec releases it.</summary>
    public sealed class Gate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the held call has started.</summary>
        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        internal Task PassAsync(CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            return _released.Task.WaitAsync(cancellationToken);
        }
    }

    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Call> _calls = [];
    private Dictionary<string, Backend> _live = new(StringComparer.Ordinal);
    private Gate? _nextExecute, _nextReload, _nextCommit, _nextShowServers, _nextFinishMoves;

    public HaproxyLayout Layout => layout;

    /// <summary>A failing reply for a runtime command, or null to let it succeed.</summary>
    public Func<RuntimeCommand, RuntimeReply?> FailCommand { get; set; } = _ => null;

    /// <summary>The result of a commit other than success, or null to let it succeed.</summary>
    public Func<RenderedConfig, bool, CommitResult?> RefuseCommit { get; set; } = (_, _) => null;

    public int EnsureRunningCalls { get; private set; }

    public IReadOnlyList<Call> Calls
    {
        get
        {
            lock (_lock)
                return [.. _calls];
        }
    }

    /// <summary>Runtime batches the sync sent (not its queries: <c>show backend</c>, <c>show servers conn</c>; not empty batches).</summary>
    public IReadOnlyList<Execute> RuntimeBatches =>
        Calls.OfType<Execute>().Where(e => e.Commands.Count > 0 && !e.Commands[0].StartsWith("show ", StringComparison.Ordinal)).ToList();

    /// <summary>Servers ("backend/server") that <c>show servers conn</c> reports holding a connection; none by default.</summary>
    public HashSet<string> Connected { get; } = [];

    public IReadOnlyList<Commit> Reloads => Calls.OfType<Commit>().Where(c => c.Reload).ToList();

    public Gate HoldNextRuntimeBatch() => _nextExecute = new Gate();

    public Gate HoldNextReload() => _nextReload = new Gate();

    /// <summary>Holds the next commit, with or without a reload (the startup's is without).</summary>
    public Gate HoldNextCommit() => _nextCommit = new Gate();

    public Gate HoldNextShowServersState() => _nextShowServers = new Gate();

    /// <summary>Holds the next finishing of moves, as requests in flight to a moving server hold it in HAProxy.</summary>
    public Gate HoldNextFinishMoves() => _nextFinishMoves = new Gate();

    public Task<HaproxyRunning> EnsureRunningAsync(CancellationToken cancellationToken)
    {
        EnsureRunningCalls++;
        return Task.FromResult(new HaproxyRunning(StartKind.Started, 4242, "2.6.fake"));
    }

    public async Task<IReadOnlyList<RuntimeReply>> ExecuteAsync(IReadOnlyList<RuntimeCommand> commands, CancellationToken cancellationToken)
    {
        Record(new Execute(commands.Select(c => c.Text).ToList(), _clock.Elapsed));
        if (commands is [{ Text: "show backend" } show])
        {
            lock (_lock)
                return [new RuntimeReply(show, "# name\n" + string.Concat(_live.Keys.Select(k => k + "\n")), true)];
        }
        if (commands.Count > 0 && commands[0].Text.StartsWith("show servers conn", StringComparison.Ordinal))
            return commands.Select(c => new RuntimeReply(c, ServersConnections(c.Text["show servers conn".Length..].Trim()), true)).ToList();
        if (commands.Count > 0 && Interlocked.Exchange(ref _nextExecute, null) is { } gate)
            await gate.PassAsync(cancellationToken);
        return commands.Select(c => FailCommand(c) ?? new RuntimeReply(c, "", true)).ToList();
    }

    /// <summary>
    /// What HAProxy 2.6 prints for a backend's servers (every backend's when <paramref name="backend"/>
    /// is empty): one in use and one idle connection for those in <see cref="Connected"/>.
    /// </summary>
    private string ServersConnections(string backend)
    {
        lock (_lock)
        {
            var lines = _live.Where(b => backend.Length == 0 || b.Key == backend).SelectMany(b => b.Value.Servers.Select(s =>
                $"{b.Key}/{s.Name} 3/1 {s.IP} {s.Port} - 5000 " + (Connected.Contains($"{b.Key}/{s.Name}") ? "1 1 1 0 0 -1 1 1 0" : "0 0 0 0 0 -1 0 0 0")));
            return "# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[2]\n"
                + string.Concat(lines.Select(l => l + "\n"));
        }
    }

    public Task<IReadOnlyList<RuntimeReply>> ReplaceMapAsync(string map, IReadOnlyList<RouteMaps.Entry> entries, CancellationToken cancellationToken)
    {
        Record(new ReplaceMap(map, entries, _clock.Elapsed));
        return Task.FromResult<IReadOnlyList<RuntimeReply>>([new RuntimeReply(RuntimeCommands.CommitMap(1, map), "", true)]);
    }

    public Task<bool> RemoveServerAsync(string backend, string server, TimeSpan wait, CancellationToken cancellationToken)
    {
        Record(new RemoveServer(backend, server, _clock.Elapsed));
        return Task.FromResult(true);
    }

    public async Task<IReadOnlyList<MoveResult>> FinishMovesAsync(IReadOnlyList<ServerMove> moves, TimeSpan wait, int served, CancellationToken cancellationToken)
    {
        var at = _clock.Elapsed;
        if (Interlocked.Exchange(ref _nextFinishMoves, null) is { } gate)
            await gate.PassAsync(cancellationToken);
        Record(new FinishMoves(moves.Select(m => $"{m.Backend}/{m.Target.Name} via {m.Twin}").ToList(), at));
        return moves.Select(m => new MoveResult(m, true, true, null)).ToList();
    }

    public async Task<CommitResult> CommitAsync(RenderedConfig config, IReadOnlyCollection<Backend> backends, string reason, bool reload, bool validate,
        CancellationToken cancellationToken)
    {
        var at = _clock.Elapsed;
        if (reload && Interlocked.Exchange(ref _nextReload, null) is { } gate)
            await gate.PassAsync(cancellationToken);
        if (Interlocked.Exchange(ref _nextCommit, null) is { } any)
            await any.PassAsync(cancellationToken);
        var result = RefuseCommit(config, reload)
                     ?? new CommitResult(reload ? CommitOutcome.Reloaded : CommitOutcome.Written, config.Hash, [], TimeSpan.Zero, TimeSpan.Zero,
                         reload ? 4243 : null);
        Record(new Commit(config, backends.Select(b => b.Name).Order(StringComparer.Ordinal).ToList(), reason, reload, validate, result, at));
        if (result.Succeeded)
            lock (_lock)
                _live = backends.ToDictionary(b => b.Name, StringComparer.Ordinal);
        return result;
    }

    public async Task<IReadOnlyList<LiveServer>> ShowServersStateAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _nextShowServers, null) is { } gate)
            await gate.PassAsync(cancellationToken);
        lock (_lock)
            return _live.Values.SelectMany(b => b.Servers.Select(s => new LiveServer(b.Name, s.Name, s.IP, s.Port, 2, AdminBits(s.State),
                s.EffectiveWeight, s.EffectiveWeight))).ToList();
    }

    public event Action<int>? Restarted;

    /// <summary>Replaces what HAProxy serves, as if someone changed it by hand or it restarted on another file.</summary>
    public void SetLive(params Backend[] backends)
    {
        lock (_lock)
            _live = backends.ToDictionary(b => b.Name, StringComparer.Ordinal);
    }

    /// <summary>As if the supervisor had started a dead HAProxy again.</summary>
    public void RaiseRestarted(int pid) => Restarted?.Invoke(pid);

    public Task StopAsync(bool leaveRunning, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The time on this fake's clock, to compare with the calls' <see cref="Call.At"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    private void Record(Call call)
    {
        lock (_lock)
            _calls.Add(call);
    }

    private static int AdminBits(ServerAdminState state) => state switch
    {
        ServerAdminState.Maint => LiveServer.ForcedMaint,
        ServerAdminState.Drain => LiveServer.ForcedDrain,
        _ => 0,
    };
}
