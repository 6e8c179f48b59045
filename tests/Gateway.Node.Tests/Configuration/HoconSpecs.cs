using Akka.Actor;
using Akka.Configuration;
using Gateway.Actors.Persistence;
using Gateway.Actors.Scheduling;

namespace Gateway.Node.Tests.Configuration;

/// <summary>What the node's own HOCON (hocon/gateway.conf, shipped next to the binary) settles.</summary>
public sealed class HoconSpecs
{
    private static Config GatewayConf() => Conf("gateway.conf");

    private static Config Conf(string file) =>
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", file)));

    [Theory]
    // SQLite: a change alone waited about a millisecond more in Akka.Persistence.Sql's own write path (issue 8's trace);
    // PostgreSQL: a cluster's stream of changes ran at 0.6x with it (the README's issue 9 figures)
    [InlineData("journal-sqlite.conf")]
    [InlineData("journal-postgresql.conf")]
    public void Journal_conf_should_write_through_gateways_writer(string file)
    {
        var journal = Conf(file).GetString("akka.persistence.journal.sql.class");

        Assert.Equal(typeof(GatewayWriteJournal), Type.GetType(journal, throwOnError: true));
    }

    [Fact]
    public void Gateway_conf_should_select_the_scheduler_that_sleeps_until_a_timer_is_due()
    {
        // Akka's default wheel wakes a thread-pool thread every 10 ms, due timers or not: at rest that
        // was half of what an idle node spent.
        var implementation = GatewayConf().GetString("akka.scheduler.implementation");

        Assert.Equal(typeof(OnDemandScheduler), Type.GetType(implementation, throwOnError: true));
    }

    [Theory]
    // Akka's defaults (30 s, 60 s) kept writers from reading their journal for up to a minute after a
    // database outage ended (40 s in the three-node outage spec). The node's plugins set no breaker of
    // their own, so Akka.Persistence reads it from the plugin fallbacks.
    [InlineData("akka.persistence.journal-plugin-fallback")]
    [InlineData("akka.persistence.snapshot-store-plugin-fallback")]
    public void Gateway_conf_should_let_a_failing_journal_be_tried_again_after_two_seconds(string fallback)
    {
        var config = GatewayConf().WithFallback(Akka.Persistence.Persistence.DefaultConfig());

        Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan($"{fallback}.circuit-breaker.reset-timeout"));
    }

    [Fact]
    public async Task Gateway_conf_should_give_an_actor_system_the_on_demand_scheduler()
    {
        using var system = ActorSystem.Create("hocon-specs", GatewayConf());

        Assert.IsType<OnDemandScheduler>(system.Scheduler);
        await system.Terminate();
    }

    [Theory]
    // Akka queues a mailbox on the current worker's own (last in, first out) queue: a writer that answered the
    // admin API and then told the desired state had the desired state and the sync run before the answer's
    // continuation on its thread. From the global queue, a lone change was stored in 2.05 ms against 2.24 (p50).
    [InlineData("desired-state")]
    [InlineData("haproxy-sync")]
    public async Task Gateway_conf_should_run_the_desired_state_and_the_sync_from_the_thread_pools_global_queue(string name)
    {
        using var system = ActorSystem.Create("hocon-specs", GatewayConf());
        var actor = system.ActorOf(Props.Create(() => new Echo()), name);

        Assert.Equal("ping", await actor.Ask<string>("ping", TimeSpan.FromSeconds(10)));
        var cell = ((ActorRefWithCell)actor).Underlying as ActorCell;
        Assert.Equal("gateway-fifo-dispatcher", cell?.Dispatcher.Id);
        Assert.Equal(typeof(FifoThreadPoolExecutorConfigurator),
            Type.GetType(system.Settings.Config.GetString("gateway-fifo-dispatcher.executor"), throwOnError: true));
        await system.Terminate();
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }
}
