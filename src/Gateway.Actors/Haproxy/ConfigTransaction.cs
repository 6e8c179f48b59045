using System.Diagnostics;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Actors.Haproxy;

/// <summary>How a commit ended.</summary>
public enum CommitOutcome
{
    /// <summary>The files already had this hash: nothing written, nothing reloaded.</summary>
    Unchanged,
    /// <summary>Validated and written; no reload was asked for.</summary>
    Written,
    /// <summary>Validated, written, reloaded, and a new worker was confirmed.</summary>
    Reloaded,
    /// <summary><c>haproxy -c</c> refused it: the previous files and config stay live.</summary>
    Invalid,
    /// <summary>Valid but the reload did not produce a new worker: the previous files were put back.</summary>
    ReloadFailed,
}

/// <summary>The result of <see cref="ConfigTransaction.CommitAsync"/>, with HAProxy's own error text when it failed.</summary>
public sealed record CommitResult(
    CommitOutcome Outcome, string Hash, IReadOnlyList<ConfigError> Errors, TimeSpan CheckTime, TimeSpan ReloadTime, int? WorkerPid)
{
    public bool Succeeded => Outcome is CommitOutcome.Unchanged or CommitOutcome.Written or CommitOutcome.Reloaded;
}

/// <summary>
/// Puts a rendered configuration live: write to temporary files → <c>haproxy -c</c> → atomic
/// renames → (optionally) one graceful reload, confirmed through the master CLI. A config that
/// fails validation never replaces the live files; a commit whose hash did not change does
/// nothing. Reloads are serialized, and each carries a logged reason.
/// </summary>
public sealed class ConfigTransaction
{
    private readonly HaproxyLayout _layout;
    private readonly HaproxyOptions _options;
    private readonly RuntimeApiClient _runtime;
    private readonly MasterCli _master;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ConfigTransaction(HaproxyLayout layout, HaproxyOptions options, RuntimeApiClient runtime, MasterCli master, ILogger? logger = null)
    {
        _layout = layout;
        _options = options;
        _runtime = runtime;
        _master = master;
        _log = logger ?? NullLogger.Instance;
    }

    /// <summary>Hash of the configuration on disk, as last committed by this instance.</summary>
    public string? CurrentHash { get; private set; }

    public int Reloads { get; private set; }

    /// <summary>
    /// Makes <paramref name="config"/> the live configuration. With <paramref name="reload"/>,
    /// HAProxy is reloaded even if only the files changed before without one (a runtime-only
    /// change that was written but not reloaded stays correct: the files equal what is live).
    /// <paramref name="desired"/> are the backends <paramref name="config"/> was rendered from;
    /// they shape the server-state file the new worker loads.
    /// </summary>
    /// <param name="validate">
    /// False skips <c>haproxy -c</c>: only for rewriting the file after runtime-only changes, whose
    /// structure was validated before and whose values passed Gateway's validation and HAProxy's
    /// runtime API. A reload always validates.
    /// </param>
    public async Task<CommitResult> CommitAsync(RenderedConfig config, IReadOnlyCollection<Backend> desired, string reason,
        bool reload, CancellationToken cancellationToken = default, bool validate = true)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            CurrentHash ??= HashOnDisk();
            if (config.Hash == CurrentHash && !reload)
                return new CommitResult(CommitOutcome.Unchanged, config.Hash, [], TimeSpan.Zero, TimeSpan.Zero, null);

            var staged = Stage(config);
            var check = Stopwatch.StartNew();
            var errors = validate || reload
                ? await ConfigCheck.RunAsync(_options.Binary, staged.Config, cancellationToken).ConfigureAwait(false)
                : [];
            check.Stop();
            if (errors.Count > 0)
            {
                staged.DiscardStaged();
                _log.LogWarning("Configuration [{Hash}] refused by haproxy -c ({Reason}): {Errors}", config.Hash, reason, string.Join("; ", errors));
                return new CommitResult(CommitOutcome.Invalid, config.Hash, errors, check.Elapsed, TimeSpan.Zero, null);
            }

            staged.Swap(keepBackups: reload);
            CurrentHash = config.Hash;
            if (!reload)
            {
                AlignServerState(desired);
                _log.LogDebug("Configuration [{Hash}] written without reload ({Reason})", config.Hash, reason);
                return new CommitResult(CommitOutcome.Written, config.Hash, [], check.Elapsed, TimeSpan.Zero, null);
            }

            var reloadTime = Stopwatch.StartNew();
            var (worker, failure) = await ReloadAsync(desired, reason, cancellationToken).ConfigureAwait(false);
            reloadTime.Stop();
            await _runtime.ReconnectAsync(cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                staged.Restore();
                CurrentHash = HashOnDisk();
                _log.LogError("Reload for [{Reason}] failed, previous configuration restored: {Error}", reason, failure);
                return new CommitResult(CommitOutcome.ReloadFailed, config.Hash, [new ConfigError(null, null, failure)], check.Elapsed, reloadTime.Elapsed, null);
            }
            staged.DropBackups();
            Reloads++;
            _log.LogInformation("Reloaded HAProxy for [{Reason}]: configuration [{Hash}], worker [{Worker}] serving after [{Elapsed}] ms",
                reason, config.Hash, worker, (int)reloadTime.Elapsed.TotalMilliseconds);
            return new CommitResult(CommitOutcome.Reloaded, config.Hash, [], check.Elapsed, reloadTime.Elapsed, worker);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>SIGUSR2 to the master, then <c>show proc</c> until the reload counter moved and a new worker runs.</summary>
    private async Task<(int? Worker, string? Failure)> ReloadAsync(IReadOnlyCollection<Backend> desired, string reason, CancellationToken cancellationToken)
    {
        var before = await _master.ShowProcAsync(cancellationToken).ConfigureAwait(false);
        if (before.MasterPid <= 0)
            return (null, "master CLI did not report a master process");
        await SaveServerStateAsync(desired, cancellationToken).ConfigureAwait(false);

        _log.LogDebug("Reloading HAProxy master [{Pid}] for [{Reason}]", before.MasterPid, reason);
        if (!Posix.Signal(before.MasterPid, Posix.SIGUSR2))
            return (null, $"could not signal master [{before.MasterPid}]");

        var oldWorkers = before.Workers.Select(w => w.Pid).ToHashSet();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < _options.ReloadTimeout)
        {
            ProcInfo now;
            try
            {
                now = await _master.ShowProcAsync(cancellationToken, connectFor: TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
            {
                continue; // the master re-executes: its socket comes back in a moment
            }
            if (now.Reloads > before.Reloads)
            {
                if (now.FailedReloads > 0)
                    return (null, $"HAProxy refused the new configuration at reload (failed reloads: {now.FailedReloads})");
                if (now.CurrentWorker is { } worker && !oldWorkers.Contains(worker.Pid))
                    return (worker.Pid, null);
            }
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        return (null, $"no new worker within {_options.ReloadTimeout.TotalSeconds:0.#}s");
    }

    /// <summary>The live state rewritten to the desired addresses and admin states (see <see cref="ServerStateFile"/>).</summary>
    private async Task SaveServerStateAsync(IReadOnlyCollection<Backend> desired, CancellationToken cancellationToken)
    {
        var reply = await _runtime.ExecuteAsync(RuntimeCommands.ShowServersState(), cancellationToken).ConfigureAwait(false);
        var text = reply.Ok ? ServerStateFile.Merge(reply.Output, desired) : HaproxyLayout.EmptyServerState;
        if (!reply.Ok)
            _log.LogWarning("Could not read server state before reload ({Error}); health and drain states restart fresh", reply.Output);
        AtomicFile.Write(_layout.ServerStateFile, text);
    }

    /// <summary>
    /// Brings the state file written at the last reload in line with a configuration written
    /// without one. HAProxy loads that file at its next start and restores port, weight and admin
    /// state from it over the configuration, so servers changed at runtime since the last reload
    /// came back with their old values after a clean restart (and the first reconcile "repaired" them).
    /// </summary>
    private void AlignServerState(IReadOnlyCollection<Backend> desired)
    {
        string current;
        try
        {
            current = File.ReadAllText(_layout.ServerStateFile);
        }
        catch (FileNotFoundException)
        {
            return; // nothing for HAProxy to restore
        }
        var aligned = ServerStateFile.Merge(current, desired);
        if (aligned != current)
            AtomicFile.Write(_layout.ServerStateFile, aligned);
    }

    private string? HashOnDisk()
    {
        try
        {
            return new RenderedConfig(File.ReadAllText(_layout.ConfigPath), File.ReadAllText(_layout.HostPathMap), File.ReadAllText(_layout.PathMap)).Hash;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private StagedFiles Stage(RenderedConfig config)
    {
        _layout.EnsureCreated();
        var staged = new StagedFiles([
            (_layout.ConfigPath, config.Config),
            (_layout.HostPathMap, config.HostPathMap),
            (_layout.PathMap, config.PathMap),
        ]);
        staged.Write();
        return staged;
    }
}
