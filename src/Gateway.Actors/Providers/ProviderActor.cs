using System.Collections.Immutable;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Providers;

namespace Gateway.Actors.Providers;

/// <summary>
/// Hosts one <see cref="IBackendProvider"/>: hands it a bounded channel (the seed's EventChanSize)
/// and forwards what it writes to the backend manager as commands from
/// <c>provider:&lt;name&gt;</c>, at most <see cref="MaxInFlight"/> unanswered at a time (see
/// ProviderActor.Window.cs). Three states: seeding (a snapshot-style provider is first seeded
/// with what it reported before the node restarted), watching, and restarting (a provider that
/// threw at start or ended its channel with an error is stopped, then started again after a
/// <see cref="ProviderBackoff"/> kept within a few of its intervals and reset by a success).
/// Its <see cref="ProviderStatus"/> goes to its parent whenever it changes.
/// </summary>
public sealed partial class ProviderActor : ReceiveActor, IWithTimers
{
    private sealed record Started(long Generation);
    private sealed record Failed(long Generation, Exception Cause);
    private sealed record Fetched(long Generation, FetchReport Report);
    private sealed record StreamDone(long Generation);
    private sealed class Stopped
    {
        public static readonly Stopped Instance = new();
    }
    private sealed class Restart
    {
        public static readonly Restart Instance = new();
    }
    private sealed class Reseed
    {
        public static readonly Reseed Instance = new();
    }

    private const string RestartTimer = "restart", SeedTimer = "seed";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _name;
    private readonly IBackendProvider _provider;
    private readonly IPollingSource? _polling;
    private readonly IActorRef _manager;
    private readonly IActorRef _desiredState;
    private readonly IActorRef _reportTo;
    private readonly int _channelSize;
    private readonly ProviderBackoff _backoff;
    private readonly TimeSpan _stallTimeout;
    private CancellationTokenSource? _running;
    private long _generation;
    private ProviderStatus _status;
    private ImmutableHashSet<string> _warned = ImmutableHashSet<string>.Empty;

    public ProviderActor(string name, IBackendProvider provider, IActorRef manager, IActorRef desiredState, int channelSize, ProviderBackoff backoff,
        TimeSpan stallTimeout, IActorRef? reportTo)
    {
        _name = name;
        _provider = provider;
        _polling = provider as IPollingSource;
        _manager = manager;
        _desiredState = desiredState;
        _reportTo = reportTo ?? Context.Parent;
        _channelSize = channelSize;
        _backoff = backoff.For(_polling?.Interval);
        _stallTimeout = stallTimeout;
        _status = ProviderStatuses.New(name, provider.GetType().Name);
        Seeding();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Source => $"provider:{_name}";

    /// <param name="reportTo">Who is told the provider's status; its parent when null.</param>
    public static Props Props(string name, IBackendProvider provider, IActorRef manager, IActorRef desiredState, int channelSize,
        ProviderBackoff? backoff = null, TimeSpan? stallTimeout = null, IActorRef? reportTo = null) =>
        Akka.Actor.Props.Create(() => new ProviderActor(name, provider, manager, desiredState, channelSize, backoff ?? ProviderBackoff.Default,
            stallTimeout ?? DefaultStallTimeout, reportTo));

    protected override void PreStart()
    {
        _reportTo.Tell(_status);
        _desiredState.Tell(GetBackends.Instance);
    }

    /// <summary>Waits for the recovered desired state: what this provider reported before seeds it.</summary>
    private void Seeding()
    {
        Receive<BackendsList>(list =>
        {
            if (!list.Recovered)
            {
                Timers.StartSingleTimer(SeedTimer, Reseed.Instance, TimeSpan.FromMilliseconds(200));
                return;
            }
            if (_provider is ISeedableProvider seedable)
            {
                var mine = list.Backends.Where(b => b.Source == Source).Select(b => b.Backend).ToList();
                seedable.Seed(mine);
                _log.Info("Provider [{Provider}] seeded with the [{Count}] backends it reported before", _name, mine.Count);
            }
            StartProvider();
        });
        Receive<Reseed>(_ => _desiredState.Tell(GetBackends.Instance));
        Window();
    }

    /// <summary>The provider runs; what its current generation reports counts, older ones' reports are late.</summary>
    private void Watching()
    {
        Receive<Started>(started =>
        {
            if (started.Generation != _generation)
                return;
            // said once; after a failure the warning and the recovery tell the story
            if (_status.ConsecutiveFailures == 0)
                _log.Info("Provider [{Provider}] ({Type}) watching", _name, _status.Type);
            else
                _log.Debug("Provider [{Provider}] ({Type}) watching again after [{Failures}] failures", _name, _status.Type, _status.ConsecutiveFailures);
            // a polling provider succeeds at each completed fetch; any other by starting
            if (_polling is null)
                Succeeded();
            else
                Update(_status.Watching());
        });
        Receive<Fetched>(fetched =>
        {
            if (fetched.Generation != _generation)
                return;
            Succeeded();
            WarnUnknown(fetched.Report.UnknownFields);
        });
        Receive<Failed>(failed =>
        {
            if (failed.Generation == _generation)
                Fail(failed.Cause);
        });
        Receive<StreamDone>(done =>
        {
            if (done.Generation == _generation)
                _log.Info("Provider [{Provider}] ended its watch", _name);
        });
        Window();
    }

    /// <summary>The failed provider stops, then the backoff runs out. A failure can arrive twice (StartAsync threw, and the channel ended with it): the second is ignored here.</summary>
    private void Restarting()
    {
        Receive<Stopped>(_ => Timers.StartSingleTimer(RestartTimer, Restart.Instance, _status.UntilNextAttempt(DateTime.UtcNow, _backoff)));
        Receive<Restart>(_ => StartProvider());
        Receive<Started>(_ => { });
        Receive<Fetched>(_ => { });
        Receive<Failed>(_ => { });
        Receive<StreamDone>(_ => { });
        Window();
    }

    private void StartProvider()
    {
        var generation = ++_generation;
        Become(Watching);
        Update(_status.Starting());
        ResetWindow();
        _running = new CancellationTokenSource();
        var channel = Channel.CreateBounded<BackendEvent>(new BoundedChannelOptions(_channelSize)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        ChannelSource.FromReader(channel.Reader)
            .Select(evt => new Received(generation, evt))
            .RunWith(Sink.ActorRefWithAck<Received>(Self, new StreamInit(generation), Ack.Instance, new StreamDone(generation),
                e => new Failed(generation, e)), Context.Materializer());

        var self = Self;
        _polling?.OnFetched(report => self.Tell(new Fetched(generation, report)));
        var token = _running.Token;
        var provider = _provider;
        Task.Run(async () =>
            {
                try
                {
                    await provider.StartAsync(channel.Writer, token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    channel.Writer.TryComplete(e); // ends the stream too
                    throw;
                }
            }, CancellationToken.None)
            .PipeTo(Self, success: () => new Started(generation), failure: e => new Failed(generation, e));
    }

    private void Succeeded()
    {
        var failures = _status.ConsecutiveFailures;
        Update(_status.Succeeded(DateTime.UtcNow));
        if (failures > 0)
            _log.Info("Provider [{Provider}] recovered after [{Failures}] failures", _name, failures);
    }

    /// <summary>Degraded, not broken: the backends it reported stay as they are until it recovers.</summary>
    private void Fail(Exception cause)
    {
        var error = cause.GetBaseException().Message;
        Update(_status.Failed(DateTime.UtcNow, error, _backoff));
        _log.Warning("Provider [{Provider}] failed ([{Failures}] in a row, next attempt in [{Delay}] s): {Error}", _name,
            _status.ConsecutiveFailures, _status.UntilNextAttempt(_status.LastError!.At, _backoff).TotalSeconds, error);
        Become(Restarting);
        // The restart waits for the stop: a late StopAsync must not cancel the next watch.
        StopProvider().PipeTo(Self, success: () => Stopped.Instance);
    }

    private void Update(ProviderStatus status)
    {
        if (status.Equals(_status))
            return;
        _status = status;
        _reportTo.Tell(status);
    }

    private void WarnUnknown(IReadOnlyList<UnknownField> found)
    {
        if (found.Count == 0)
            return;
        (_warned, var name, var more) = UnknownFieldWarnings.Take(_warned, found);
        foreach (var field in name)
        {
            if (field.Backend is null)
                _log.Warning("Provider [{Provider}]: document: field [{Field}] {Problem}; ignored", _name, field.Field, field.Message);
            else
                _log.Warning("Provider [{Provider}]: backend [{Backend}]: field [{Field}] {Problem}; ignored", _name, field.Backend, field.Field,
                    field.Message);
        }
        if (more > 0)
            _log.Warning("Provider [{Provider}]: [{More}] more fields Gateway does not know; ignored", _name, more);
    }

    private Task StopProvider()
    {
        _running?.Cancel();
        _running?.Dispose();
        _running = null;
        var (provider, log, name) = (_provider, _log, _name);
        return Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await provider.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // it is replaced anyway; say so, since a provider that cannot stop may leak
                log.Warning("Provider [{Provider}] did not stop cleanly: {Error}", name, e.Message);
            }
        });
    }

    protected override void PostStop() => _ = StopProvider();
}
