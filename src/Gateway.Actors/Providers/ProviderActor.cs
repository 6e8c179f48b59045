using Akka.Hosting;
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
/// <c>provider:&lt;name&gt;</c>. At most <see cref="MaxInFlight"/> commands are unanswered at a time:
/// past that the actor stops taking from the channel, the channel fills, and the provider waits,
/// so a source faster than the journal slows down instead of growing mailboxes. A
/// provider that throws at start, or ends its channel with an error (HTTP 500, a timeout, a
/// malformed document), is logged and started again with exponential backoff. Before its first
/// start a snapshot-style provider is seeded with what it reported before the node restarted.
/// </summary>
public sealed class ProviderActor : ReceiveActor, IWithTimers
{
    /// <summary>Backoff between restarts of a failed provider.</summary>
    public sealed record Backoff(TimeSpan Min, TimeSpan Max)
    {
        public static readonly Backoff Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    private sealed record Started(long Generation);
    private sealed record Failed(long Generation, Exception Cause);
    private sealed record StreamInit(long Generation);
    private sealed record Stopped(TimeSpan RestartIn);
    private sealed record StreamDone(long Generation);
    private sealed record Received(long Generation, BackendEvent Event);
    private sealed class Ack
    {
        public static readonly Ack Instance = new();
    }
    private sealed class Restart
    {
        public static readonly Restart Instance = new();
    }
    private sealed class Reseed
    {
        public static readonly Reseed Instance = new();
    }

    private sealed class Stalled
    {
        public static readonly Stalled Instance = new();
    }

    private const string RestartTimer = "restart", SeedTimer = "seed", StallTimer = "stall";

    /// <summary>Commands sent to the manager and not answered yet, at most.</summary>
    public const int MaxInFlight = 1000;

    /// <summary>A full window with no answer for this long means answers were lost (a backend actor died with its mailbox): it is reopened.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(30);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _name;
    private readonly IBackendProvider _provider;
    private readonly IActorRef _manager;
    private readonly IActorRef _desiredState;
    private readonly int _channelSize;
    private readonly Backoff _backoff;
    private readonly TimeSpan _stallTimeout;
    private CancellationTokenSource? _running;
    private long _generation;
    private TimeSpan _delay;
    private DateTime _startedAt;
    private int _inFlight;
    private IActorRef? _waitingForAck;

    public ProviderActor(string name, IBackendProvider provider, IActorRef manager, IActorRef desiredState, int channelSize, Backoff backoff,
        TimeSpan stallTimeout)
    {
        _stallTimeout = stallTimeout;
        _name = name;
        _provider = provider;
        _manager = manager;
        _desiredState = desiredState;
        _channelSize = channelSize;
        _backoff = backoff;
        _delay = backoff.Min;

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
                _log.Info("Provider [{0}] seeded with the [{1}] backends it reported before", _name, mine.Count);
            }
            StartProvider();
        });
        Receive<Reseed>(_ => _desiredState.Tell(GetBackends.Instance));
        Receive<Restart>(_ => StartProvider());
        Receive<Stopped>(stopped => Timers.StartSingleTimer(RestartTimer, Restart.Instance, stopped.RestartIn));
        Receive<Started>(started =>
        {
            if (started.Generation == _generation)
                _log.Info("Provider [{0}] ({1}) watching", _name, _provider.GetType().Name);
        });
        Receive<StreamInit>(init => Sender.Tell(Ack.Instance));
        Receive<Received>(received =>
        {
            if (received.Generation != _generation)
            {
                Sender.Tell(Ack.Instance);
                return;
            }
            _manager.Tell(ToCommand(received.Event));
            if (++_inFlight < MaxInFlight)
                Sender.Tell(Ack.Instance);
            else
            {
                _waitingForAck = Sender;
                Timers.StartSingleTimer(StallTimer, Stalled.Instance, _stallTimeout);
            }
        });
        Receive<Stalled>(_ =>
        {
            _log.Warning("Provider [{0}]: {1} changes unanswered for {2} s; taking further changes", _name, _inFlight, _stallTimeout.TotalSeconds);
            _inFlight = 0;
            Answered(counted: false);
        });
        Receive<StreamDone>(done =>
        {
            if (done.Generation == _generation)
                _log.Info("Provider [{0}] ended its watch", _name);
        });
        Receive<Failed>(failed =>
        {
            // A failure can arrive twice (StartAsync threw, and the channel ended with it): act once.
            if (failed.Generation == _generation && _running is not null)
                Fail(failed.Cause);
        });
        Receive<BackendAccepted>(accepted =>
        {
            Answered();
            if (accepted.Changed)
                _log.Debug("Provider [{0}]: backend [{1}] at version [{2}]", _name, accepted.BackendName, accepted.Version);
        });
        Receive<BackendRemoved>(removed =>
        {
            Answered();
            _log.Debug("Provider [{0}]: backend [{1}] removed", _name, removed.BackendName);
        });
        Receive<BackendNotFound>(_ => Answered());
        Receive<BackendRejected>(rejected =>
        {
            Answered();
            _log.Warning("Provider [{0}] reported an invalid backend [{1}]: {2}", _name, rejected.BackendName, string.Join("; ", rejected.Errors));
        });
        Receive<Status.Failure>(failure =>
        {
            Answered();
            _log.Warning("Provider [{0}]: a change was not stored: {1}", _name, failure.Cause.Message);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Source => $"provider:{_name}";

    public static Props Props(string name, IBackendProvider provider, IActorRef manager, IActorRef desiredState, int channelSize, Backoff? backoff = null,
        TimeSpan? stallTimeout = null) =>
        Akka.Actor.Props.Create(() => new ProviderActor(name, provider, manager, desiredState, channelSize, backoff ?? Backoff.Default,
            stallTimeout ?? DefaultStallTimeout));

    protected override void PreStart() => _desiredState.Tell(GetBackends.Instance);

    /// <summary>A command was answered (or the window reopened): take the next change if the stream waits for room.</summary>
    private void Answered(bool counted = true)
    {
        if (counted && _inFlight > 0)
            _inFlight--;
        if (_waitingForAck is null || _inFlight >= MaxInFlight)
            return;
        Timers.Cancel(StallTimer);
        _waitingForAck.Tell(Ack.Instance);
        _waitingForAck = null;
    }

    private object ToCommand(BackendEvent evt) => evt.Type == BackendEventType.Delete
        ? new RemoveBackend(evt.Backend.Name, Source)
        : new UpsertBackend(evt.Backend, Source);

    private void StartProvider()
    {
        var generation = ++_generation;
        _waitingForAck = null; // the previous stream has ended; answers to its commands still count
        Timers.Cancel(StallTimer);
        _running = new CancellationTokenSource();
        _startedAt = DateTime.UtcNow;
        var channel = Channel.CreateBounded<BackendEvent>(new BoundedChannelOptions(_channelSize)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        ChannelSource.FromReader(channel.Reader)
            .Select(evt => new Received(generation, evt))
            .RunWith(Sink.ActorRefWithAck<Received>(Self, new StreamInit(generation), Ack.Instance, new StreamDone(generation),
                e => new Failed(generation, e)), Context.Materializer());

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

    private void Fail(Exception cause)
    {
        if (DateTime.UtcNow - _startedAt > _backoff.Max)
            _delay = _backoff.Min; // it ran well for a while: start the backoff over
        _log.Error("Provider [{0}] failed: {1}. Restarting in [{2}] s", _name, cause.GetBaseException().Message, _delay.TotalSeconds);
        var delay = _delay;
        _delay = TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, _backoff.Max.Ticks));
        // The restart waits for the stop: a late StopAsync must not cancel the next watch.
        StopProvider().PipeTo(Self, success: () => new Stopped(delay));
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
                log.Warning("Provider [{0}] did not stop cleanly: {1}", name, e.Message);
            }
        });
    }

    protected override void PostStop() => _ = StopProvider();
}

/// <summary>Akka.Hosting registration: one <see cref="ProviderActor"/> per configured provider.</summary>
public static class ProviderActorHosting
{
    public static AkkaConfigurationBuilder AddProviders(this AkkaConfigurationBuilder builder,
        IReadOnlyList<(string Name, IBackendProvider Provider)> providers, int channelSize) =>
        builder.WithActors((system, registry) =>
        {
            var manager = registry.Get<Backends.BackendManagerActor>();
            var desired = registry.Get<DesiredState.DesiredStateActor>();
            foreach (var (name, provider) in providers)
                system.ActorOf(ProviderActor.Props(name, provider, manager, desired, channelSize), $"provider-{name}");
        });
}
