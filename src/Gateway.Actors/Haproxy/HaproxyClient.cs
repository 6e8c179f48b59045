using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using Microsoft.Extensions.Logging;

namespace Gateway.Actors.Haproxy;

/// <summary>The real <see cref="IHaproxyClient"/>: the runtime socket, the master CLI, config transactions and the process supervisor of one HAProxy.</summary>
public sealed class HaproxyClient : IHaproxyClient, IAsyncDisposable
{
    private readonly HaproxyOptions _options;
    private readonly ILogger _log;
    private readonly RuntimeApiClient _runtime;
    private readonly ConfigTransaction _transaction;
    private readonly HaproxyProcess _process;
    private readonly ILoggerFactory _loggers;
    private HaproxySupervisor? _supervisor;

    public HaproxyClient(HaproxyLayout layout, HaproxyOptions options, ILoggerFactory loggers)
    {
        Layout = layout;
        _options = options;
        _log = loggers.CreateLogger<HaproxyClient>();
        _runtime = new RuntimeApiClient(layout.RuntimeSocket, loggers.CreateLogger<RuntimeApiClient>());
        _transaction = new ConfigTransaction(layout, options, _runtime, new MasterCli(layout.MasterSocket), loggers.CreateLogger<ConfigTransaction>());
        _process = new HaproxyProcess(layout, options, loggers.CreateLogger<HaproxyProcess>());
        _loggers = loggers;
    }

    public HaproxyLayout Layout { get; }

    public event Action<int>? Restarted;

    public async Task<HaproxyRunning> EnsureRunningAsync(CancellationToken cancellationToken)
    {
        if (_options.Managed)
        {
            if (_supervisor is null)
            {
                var supervisor = new HaproxySupervisor(_process, _loggers.CreateLogger<HaproxySupervisor>());
                supervisor.Restarted += pid => Restarted?.Invoke(pid);
                await supervisor.StartAsync(cancellationToken).ConfigureAwait(false);
                _supervisor = supervisor;
            }
        }
        else if (!_process.IsRunning && !await _process.TryAdoptAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"No HAProxy answers on [{Layout.MasterSocket}] and Gateway:Haproxy:Managed is false: start HAProxy with -W -S {Layout.MasterSocket} -p {Layout.PidFile} -f {Layout.ConfigPath}");
        }
        var info = await _runtime.ExecuteAsync(RuntimeCommands.ShowInfo(), cancellationToken).ConfigureAwait(false);
        var version = info.Output.Split('\n').FirstOrDefault(l => l.StartsWith("Version:", StringComparison.Ordinal))?["Version:".Length..].Trim() ?? "unknown";
        return new HaproxyRunning(_process.Adopted ? StartKind.Adopted : StartKind.Started, _process.MasterPid ?? 0, version);
    }

    public Task<IReadOnlyList<RuntimeReply>> ExecuteAsync(IReadOnlyList<RuntimeCommand> commands, CancellationToken cancellationToken) =>
        _runtime.ExecuteAsync(commands, cancellationToken);

    public Task<IReadOnlyList<RuntimeReply>> ReplaceMapAsync(string map, IReadOnlyList<RouteMaps.Entry> entries, CancellationToken cancellationToken) =>
        RuntimeOperations.ReplaceMapAsync(_runtime, map, entries, cancellationToken);

    public Task<bool> RemoveServerAsync(string backend, string server, TimeSpan wait, CancellationToken cancellationToken) =>
        RuntimeOperations.RemoveServerAsync(_runtime, backend, server, wait, cancellationToken);

    public Task<CommitResult> CommitAsync(RenderedConfig config, IReadOnlyCollection<Backend> backends, string reason, bool reload, bool validate,
        CancellationToken cancellationToken) =>
        _transaction.CommitAsync(config, backends, reason, reload, cancellationToken, validate);

    public Task<IReadOnlyList<MoveResult>> FinishMovesAsync(IReadOnlyList<ServerMove> moves, TimeSpan wait, int served, CancellationToken cancellationToken) =>
        ServerMoves.FinishAsync(_runtime, moves, wait, served, cancellationToken);

    public async Task<IReadOnlyList<LiveServer>> ShowServersStateAsync(CancellationToken cancellationToken)
    {
        var reply = await _runtime.ExecuteAsync(RuntimeCommands.ShowServersState(), cancellationToken).ConfigureAwait(false);
        return reply.Ok ? ServerStates.Parse(reply.Output) : throw new IOException($"show servers state failed: {reply.Output}");
    }

    public async Task StopAsync(bool leaveRunning, CancellationToken cancellationToken)
    {
        // First: an open CLI connection keeps a soft-stopping worker alive.
        await _runtime.DisposeAsync().ConfigureAwait(false);
        if (_supervisor is not null)
        {
            var keep = leaveRunning || _options.KeepRunning;
            await _supervisor.StopAsync(keep, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            if (keep)
                _log.LogInformation("Leaving HAProxy master [{Pid}] running ({Why})", _process.MasterPid,
                    leaveRunning ? "the node left its cluster: it serves the last state until the node is back" : "Gateway:Haproxy:KeepRunning");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_supervisor is not null)
            await _supervisor.DisposeAsync().ConfigureAwait(false);
        await _runtime.DisposeAsync().ConfigureAwait(false);
    }
}
