using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Providers;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// The provider actor with the seed's in-memory and polling providers: what a provider writes
/// reaches the manager as commands from <c>provider:&lt;name&gt;</c>; a provider that throws at
/// start is started again with growing backoff; and a snapshot provider is seeded with what it
/// reported before, so a backend deleted at the source meanwhile is deleted — and no other.
/// </summary>
public class ProviderActorSpecs(ITestOutputHelper output) : ProviderSpec(output)
{
    [Fact]
    public void ProviderActor_should_turn_a_simple_providers_adds_and_removes_into_commands_from_the_provider()
    {
        var provider = new SimpleProvider();
        StartProvider("simple", provider);

        provider.AddBackend(Backend("api"));
        var added = ExpectUpsert("api");
        provider.UpdateBackend(Backend("api", Server("s1", "10.0.0.2")));
        var updated = ExpectUpsert("api");
        provider.RemoveBackend("api");
        var removed = ExpectRemove("api");

        Assert.Equal("provider:simple", added.Source);
        Assert.Equal(Backend("api"), added.Backend);
        Assert.Equal(Backend("api", Server("s1", "10.0.0.2")), updated.Backend);
        Assert.Equal(new RemoveBackend("api", "provider:simple"), removed);
    }

    [Fact]
    public void ProviderActor_should_ask_again_before_starting_when_the_desired_state_has_not_recovered_yet()
    {
        var provider = new SimpleProvider();
        provider.AddBackend(Backend("api"));
        Sys.ActorOf(ProviderActor.Props("simple", provider, Manager, Desired, 16, Fast, reportTo: Statuses));

        Desired.ExpectMsg<GetBackends>();
        Desired.Reply(new BackendsList([], Recovered: false));
        Desired.ExpectMsg<GetBackends>();
        Manager.ExpectNoMsg(TimeSpan.Zero);
        Desired.Reply(new BackendsList([], Recovered: true));

        Assert.Equal("provider:simple", ExpectUpsert("api").Source);
    }

    [Fact]
    public void ProviderActor_should_restart_a_provider_that_throws_at_start_with_growing_backoff()
    {
        var provider = new FailingStartProvider(failures: 3);
        StartProvider("flaky", provider);

        ExpectUpsert("api");

        var starts = provider.Starts;
        Assert.Equal(4, starts.Count);
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToList();
        var tolerance = TimeSpan.FromMilliseconds(10);
        Assert.True(gaps[0] >= TimeSpan.FromMilliseconds(50) - tolerance, $"gaps: {string.Join(", ", gaps)}");
        Assert.True(gaps[1] >= TimeSpan.FromMilliseconds(100) - tolerance, $"gaps: {string.Join(", ", gaps)}");
        Assert.True(gaps[2] >= TimeSpan.FromMilliseconds(200) - tolerance, $"gaps: {string.Join(", ", gaps)}");
        ExpectFailureLogged("flaky", "source not ready");
    }

    [Fact]
    public void ProviderActor_should_delete_at_the_first_snapshot_what_it_reported_before_and_the_source_no_longer_lists()
    {
        var fetches = 0;
        var provider = new PollingProvider(TimeSpan.FromMilliseconds(50), _ =>
            Task.FromResult<IReadOnlyList<Backend>>(Interlocked.Increment(ref fetches) == 1
                ? [Backend("api")]
                : [Backend("api"), Backend("fresh")]));

        StartProvider("seed", provider,
            new VersionedBackend(Backend("api"), 3, "provider:seed"),
            new VersionedBackend(Backend("old"), 2, "provider:seed"),
            new VersionedBackend(Backend("manual"), 1, "admin-api"),
            new VersionedBackend(Backend("theirs"), 1, "provider:other"));

        // the first snapshot says only: "old" is gone (api is unchanged; manual and theirs are not this provider's)
        Assert.Equal(new RemoveBackend("old", "provider:seed"), ExpectRemove("old"));
        // the next command is the next snapshot's: nothing else came in between
        ExpectUpsert("fresh");
    }

    [Fact]
    public void ProviderActor_should_stop_taking_changes_while_a_full_window_of_commands_is_unanswered()
    {
        const int total = ProviderActor.MaxInFlight + 50;
        var provider = new StreamingProvider(total);
        var actor = StartProvider("fast", provider);

        // the manager answers nothing: exactly a window's worth reaches it, the rest waits in the provider
        for (var i = 0; i < ProviderActor.MaxInFlight; i++)
            Assert.Equal($"b{i}", Manager.ExpectMsg<UpsertBackend>().BackendName);
        Manager.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.True(provider.Written < total, $"the provider wrote all {total} changes into a channel of 16");

        // each answer lets one more through
        actor.Tell(new BackendAccepted("b0", 1, Changed: true), Manager.Ref);
        Assert.Equal($"b{ProviderActor.MaxInFlight}", Manager.ExpectMsg<UpsertBackend>().BackendName);
        Manager.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        for (var i = 0; i < 49; i++)
            actor.Tell(new BackendAccepted($"b{i + 1}", 1, Changed: true), Manager.Ref);
        for (var i = ProviderActor.MaxInFlight + 1; i < total; i++)
            Assert.Equal($"b{i}", Manager.ExpectMsg<UpsertBackend>().BackendName);
        // the provider counts a change once its write returned, on its own thread: after the actor may have sent it on
        AwaitAssert(() => Assert.Equal(total, provider.Written));
    }

    [Fact]
    public void ProviderActor_should_reopen_a_window_whose_answers_were_lost_and_say_so()
    {
        const int total = ProviderActor.MaxInFlight + 10;
        var provider = new StreamingProvider(total);
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings, typeof(Warning));
        Sys.ActorOf(ProviderActor.Props("lossy", provider, Manager, Desired, 16, Fast, stallTimeout: TimeSpan.FromMilliseconds(500), reportTo: Statuses));
        Desired.ExpectMsg<GetBackends>();
        Desired.Reply(new BackendsList([], Recovered: true));

        for (var i = 0; i < ProviderActor.MaxInFlight; i++)
            Manager.ExpectMsg<UpsertBackend>();
        // no answer ever comes: after the stall timeout the rest flows anyway, with a warning
        for (var i = ProviderActor.MaxInFlight; i < total; i++)
            Assert.Equal($"b{i}", Manager.ExpectMsg<UpsertBackend>().BackendName);
        warnings.FishForMessage<Warning>(w => w.Message.ToString()!.Contains("changes unanswered"), TimeSpan.FromSeconds(5));
    }
}
