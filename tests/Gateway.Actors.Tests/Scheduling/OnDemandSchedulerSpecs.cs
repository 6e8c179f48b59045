using Akka.Actor;
using Akka.TestKit.Xunit2;
using Gateway.Actors.Scheduling;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Scheduling;

/// <summary>
/// The scheduler that sleeps until a timer is due does what Akka's wheel does for Gateway's actors:
/// tells once and repeatedly, actors' timers, cancellation; and it keeps nothing once a timer ran or
/// was cancelled (nothing left to wake the process).
/// </summary>
public sealed class OnDemandSchedulerSpecs(ITestOutputHelper output)
    : TestKit("""akka.scheduler.implementation = "Gateway.Actors.Scheduling.OnDemandScheduler, Gateway.Actors" """, output)
{
    private OnDemandScheduler Scheduler => Assert.IsType<OnDemandScheduler>(Sys.Scheduler);

    private sealed class Ticking : ReceiveActor, IWithTimers
    {
        public Ticking(IActorRef probe)
        {
            Receive<string>(tick => probe.Tell(tick));
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart()
        {
            Timers.StartSingleTimer("once", "once", TimeSpan.FromMilliseconds(20));
            Timers.StartPeriodicTimer("every", "every", TimeSpan.FromMilliseconds(20));
        }
    }

    [Fact]
    public void Scheduler_should_tell_once_when_due_and_keep_nothing_after()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), TestActor, "due", ActorRefs.NoSender);

        ExpectMsg("due");
        AwaitAssert(() => Assert.Equal(0, Scheduler.Pending));
    }

    [Fact]
    public void Scheduler_should_tell_repeatedly_until_cancelled_and_keep_nothing_after()
    {
        var before = Scheduler.Pending;
        var cancelable = Sys.Scheduler.ScheduleTellRepeatedlyCancelable(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), TestActor, "again",
            ActorRefs.NoSender);

        ExpectMsg("again");
        ExpectMsg("again");
        ExpectMsg("again");
        cancelable.Cancel();

        Assert.Equal(before, Scheduler.Pending);
    }

    [Fact]
    public void Scheduler_should_not_run_what_was_cancelled_before_it_was_due()
    {
        var cancelable = Sys.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromMilliseconds(200), TestActor, "cancelled", ActorRefs.NoSender);
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(400), TestActor, "later", ActorRefs.NoSender);

        cancelable.Cancel();

        ExpectMsg("later"); // the cancelled one, due earlier, never came
    }

    [Fact]
    public void Scheduler_should_not_keep_or_run_what_is_scheduled_already_cancelled()
    {
        var before = Scheduler.Pending;
        var cancelable = new Cancelable(Sys.Scheduler);
        cancelable.Cancel();

        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(50), TestActor, "cancelled", ActorRefs.NoSender, cancelable);
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(100), TestActor, "later", ActorRefs.NoSender);

        Assert.Equal(before + 1, Scheduler.Pending); // only "later"
        ExpectMsg("later");
    }

    [Fact]
    public void Scheduler_should_run_actions_and_drive_actor_timers()
    {
        Sys.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(10), () => TestActor.Tell("action"));
        ExpectMsg("action");

        Sys.ActorOf(Props.Create(() => new Ticking(TestActor)));

        var seen = new List<string>();
        AwaitAssert(() =>
        {
            seen.Add(ExpectMsg<string>());
            Assert.Contains("once", seen);
            Assert.True(seen.Count(s => s == "every") >= 2);
        }, TimeSpan.FromSeconds(10));
    }
}
