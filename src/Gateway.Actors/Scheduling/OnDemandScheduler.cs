using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Gateway.Actors.Scheduling;

/// <summary>
/// Akka's scheduler, woken only when a timer is due: each scheduled action is a
/// <see cref="System.Threading.Timer"/> (one queue, one thread, for the whole process), so a node
/// with nothing due sleeps. Akka's default wheel ticks every <c>akka.scheduler.tick-duration</c>
/// (10 ms) whether or not anything is due, and each tick woke a thread-pool thread: measured, that
/// was most of what an idle node spent. Timers also fire when due, not at the next tick.
/// Selected by <c>akka.scheduler.implementation</c> in hocon/gateway.conf.
/// </summary>
public sealed class OnDemandScheduler : SchedulerBase, IDateTimeOffsetNowTimeProvider, IDisposable
{
    /// <summary>System.Threading.Timer's longest due time; an Akka delay beyond it (49 days) is effectively never.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly ConcurrentDictionary<Entry, byte> _pending = new();
    private volatile bool _disposed;

    public OnDemandScheduler(Config scheduler, ILoggingAdapter log) : base(scheduler, log)
    {
    }

    /// <summary>Scheduled actions not yet run (once) or not cancelled (repeated): for tests.</summary>
    internal int Pending => _pending.Count;

    protected override DateTimeOffset TimeNow => DateTimeOffset.Now;

    public override TimeSpan MonotonicClock => AkkaClock.Elapsed();

    public override TimeSpan HighResMonotonicClock => AkkaClock.ElapsedHighRes();

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Schedule(delay, null, () => receiver.Tell(message, sender), cancelable);

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender,
        ICancelable cancelable) =>
        Schedule(initialDelay, interval, () => receiver.Tell(message, sender), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable) => Schedule(delay, null, action, cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable) => Schedule(delay, null, action.Run, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, action, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, action.Run, cancelable);

    private void Schedule(TimeSpan delay, TimeSpan? interval, Action action, ICancelable? cancelable)
    {
        if (_disposed)
            throw new SchedulerException("cannot schedule after the scheduler stopped");
        var entry = new Entry(this, action, cancelable, repeats: interval is not null);
        _pending[entry] = 0;
        entry.Start(Clamp(delay), interval is { } every ? Clamp(every) : Timeout.InfiniteTimeSpan);
    }

    private static TimeSpan Clamp(TimeSpan delay) => delay < TimeSpan.Zero ? TimeSpan.Zero : delay > Longest ? Longest : delay;

    /// <summary>Stops every timer; what was scheduled does not run.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var entry in _pending.Keys)
            entry.Stop();
    }

    /// <summary>
    /// Akka's own monotonic clock (internal to Akka), so that this scheduler's clock reads the same
    /// as the one Akka's deadlines use.
    /// </summary>
    private static class AkkaClock
    {
        private static readonly Type Clock = typeof(ActorSystem).Assembly.GetType("Akka.Util.MonotonicClock", throwOnError: true)!;

        public static readonly Func<TimeSpan> Elapsed = Read(nameof(Elapsed));
        public static readonly Func<TimeSpan> ElapsedHighRes = Read(nameof(ElapsedHighRes));

        private static Func<TimeSpan> Read(string property) =>
            Clock.GetProperty(property, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .GetMethod!.CreateDelegate<Func<TimeSpan>>();
    }

    /// <summary>One scheduled action and its timer; gone from <see cref="_pending"/> once it ran (once), or was cancelled.</summary>
    private sealed class Entry
    {
        private readonly OnDemandScheduler _owner;
        private readonly Action _action;
        private readonly ICancelable? _cancelable;
        private readonly bool _repeats;
        private readonly Timer _timer;
        private CancellationTokenRegistration _onCancel;

        public Entry(OnDemandScheduler owner, Action action, ICancelable? cancelable, bool repeats)
        {
            _owner = owner;
            _action = action;
            _cancelable = cancelable;
            _repeats = repeats;
            _timer = new Timer(static state => ((Entry)state!).Fire(), this, Timeout.Infinite, Timeout.Infinite);
        }

        public void Start(TimeSpan delay, TimeSpan interval)
        {
            if (_cancelable is not null)
                _onCancel = _cancelable.Token.Register(static state => ((Entry)state!).Stop(), this); // at once if already cancelled
            try
            {
                _timer.Change(delay, interval);
            }
            catch (ObjectDisposedException)
            {
                // cancelled meanwhile
            }
        }

        private void Fire()
        {
            if (_owner._disposed || _cancelable is { IsCancellationRequested: true })
            {
                Stop();
                return;
            }
            if (!_repeats)
                Stop();
            try
            {
                _action();
            }
            catch (Exception e)
            {
                _owner.Log.Error(e, "Scheduled action failed");
            }
        }

        public void Stop()
        {
            if (!_owner._pending.TryRemove(this, out _))
                return;
            _timer.Dispose();
            _onCancel.Dispose();
        }
    }
}
