using Akka.Event;
using Gateway.Actors.Providers;
using Gateway.Shared.Messages;
using Gateway.Shared.Providers;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// A provider's health as its actor reports it: failures in a row with the last error and the
/// next attempt, a backoff kept within a few of a polling provider's intervals and started over by
/// a success, a recovery said in the log, and every provider's status answered by their parent.
/// </summary>
public class ProviderStatusSpecs(ITestOutputHelper output) : ProviderSpec(output)
{
    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    private static TimeSpan Wait(ProviderStatus status) => status.NextAttempt!.Value - status.LastError!.At;

    [Fact]
    public void ProviderActor_should_report_failures_in_a_row_the_last_error_and_the_next_attempt()
    {
        var provider = new FailingStartProvider(failures: 3);
        StartProvider("flaky", provider);

        var failing = ExpectStatus(s => s.ConsecutiveFailures == 3);
        var recovered = ExpectStatus(s => s.LastSuccess is not null);
        ExpectUpsert("api");

        Assert.Equal(ProviderState.Waiting, failing.State);
        Assert.Equal("source not ready (attempt 3)", failing.LastError!.Message);
        Assert.Equal(Ms(200), Wait(failing)); // 50, 100, 200 ms: the third wait
        Assert.Null(failing.LastSuccess);
        Assert.Equal("FailingStartProvider", failing.Type);
        // a provider that does not poll succeeds by starting
        Assert.Equal(ProviderState.Watching, recovered.State);
        Assert.Equal(0, recovered.ConsecutiveFailures);
        Assert.Null(recovered.NextAttempt);
        Assert.Equal(failing.LastError, recovered.LastError);
    }

    [Fact]
    public void ProviderActor_should_start_the_backoff_over_and_log_a_recovery_after_a_completed_fetch()
    {
        var infos = CreateTestProbe();
        Sys.EventStream.Subscribe(infos, typeof(Info));
        // fetches 1-3 fail, 4 completes, 5 and later fail
        var source = new ScriptedFetch(n => n != 4);
        StartProvider("polled", new PollingProvider(Ms(100), source.FetchAsync));

        var third = ExpectStatus(s => s.ConsecutiveFailures == 3);
        var success = ExpectStatus(s => s.LastSuccess is not null);
        var again = ExpectStatus(s => s.ConsecutiveFailures == 1);
        var recovery = infos.FishForMessage<Info>(i => i.Message.ToString()!.Contains("recovered"), TimeSpan.FromSeconds(5));

        Assert.Equal(Ms(200), Wait(third));
        Assert.Equal(0, success.ConsecutiveFailures);
        Assert.Equal(Ms(50), Wait(again)); // the first wait again, not the fourth
        Assert.Equal("Provider [polled] recovered after [3] failures", recovery.Message.ToString());
        Assert.Equal("source down (fetch 5)", again.LastError!.Message);
    }

    [Fact]
    public void ProviderActor_should_keep_the_backoff_within_three_intervals_of_a_polling_provider()
    {
        var source = new ScriptedFetch(_ => true);
        // uncapped, this backoff would wait 50, 100, 200, 400, 800 ms… up to 5 s
        StartProvider("down", new PollingProvider(Ms(100), source.FetchAsync), new ProviderBackoff(Ms(50), TimeSpan.FromSeconds(5)));

        var waits = Enumerable.Range(1, 6).Select(n => Wait(ExpectStatus(s => s.ConsecutiveFailures == n))).ToList();

        Assert.Equal([Ms(50), Ms(100), Ms(200), Ms(300), Ms(300), Ms(300)], waits);
        ExpectFailureLogged("down", "source down");
    }

    [Fact]
    public void ProviderActor_should_log_a_failure_as_a_warning_not_an_error()
    {
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors, typeof(Error));
        StartProvider("down", new PollingProvider(Ms(100), new ScriptedFetch(_ => true).FetchAsync));

        var warning = ExpectFailureLogged("down", "source down (fetch 1)");

        Assert.Contains("failed ([1] in a row, next attempt in [0.05] s): ", warning.Message.ToString());
        errors.ExpectNoMsg(Ms(200));
    }

    [Fact]
    public void ProvidersActor_should_answer_the_status_of_each_of_its_providers_in_configured_order()
    {
        IReadOnlyList<(string, IBackendProvider)> providers =
        [
            ("memory", new SimpleProvider()),
            ("broken", new FailingStartProvider(failures: int.MaxValue)),
            ("polled", new PollingProvider(Ms(100), _ => Task.FromResult<IReadOnlyList<Shared.Model.Backend>>([Backend("api")]))),
        ];
        var parent = Sys.ActorOf(ProvidersActor.Props(providers, Manager, Desired, 16, Fast));
        for (var i = 0; i < providers.Count; i++)
        {
            Desired.ExpectMsg<GetBackends>();
            Desired.Reply(new BackendsList([], Recovered: true));
        }

        var status = AwaitAssertStatus(parent, s => s.Providers[1].ConsecutiveFailures >= 2 && s.Providers[2].LastSuccess is not null);

        Assert.Equal(["memory", "broken", "polled"], status.Providers.Select(p => p.Name));
        Assert.Equal(["SimpleProvider", "FailingStartProvider", "PollingProvider"], status.Providers.Select(p => p.Type));
        Assert.Equal(ProviderState.Watching, status.Providers[0].State);
        Assert.NotNull(status.Providers[0].LastSuccess);
        Assert.Equal(ProviderState.Waiting, status.Providers[1].State);
        Assert.NotNull(status.Providers[1].NextAttempt);
        Assert.StartsWith("source not ready", status.Providers[1].LastError!.Message);
        Assert.Null(status.Providers[1].LastSuccess);
        Assert.Equal(0, status.Providers[2].ConsecutiveFailures);
    }

    /// <summary>Asks the parent until its answer satisfies <paramref name="done"/>.</summary>
    private ProvidersStatus AwaitAssertStatus(Akka.Actor.IActorRef parent, Func<ProvidersStatus, bool> done)
    {
        ProvidersStatus? last = null;
        AwaitCondition(() =>
        {
            parent.Tell(GetProvidersStatus.Instance, TestActor);
            last = ExpectMsg<ProvidersStatus>();
            return done(last);
        }, TimeSpan.FromSeconds(5), Ms(50));
        return last!;
    }
}
