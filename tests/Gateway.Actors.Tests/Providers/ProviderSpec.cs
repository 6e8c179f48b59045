using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Gateway.Actors.Providers;
using Gateway.Shared.Messages;
using Gateway.Shared.Providers;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// Base of the provider actor's specs: probes stand for the backend manager (answering each
/// command like it), the desired-state view (answering the seeding question) and the parent
/// (receiving each status); restarts back off from 50 ms to 200 ms so failures are retried
/// quickly; logged warnings are caught by a probe.
/// </summary>
public abstract class ProviderSpec : Akka.TestKit.Xunit2.TestKit
{
    protected static readonly ProviderBackoff Fast = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));

    protected ProviderSpec(ITestOutputHelper output)
        : base("akka.loglevel = DEBUG\nakka.test.single-expect-default = 5s", output: output)
    {
        Manager = CreateTestProbe();
        Desired = CreateTestProbe();
        Statuses = CreateTestProbe();
        Warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(Warnings, typeof(Warning));
    }

    protected TestProbe Manager { get; }

    protected TestProbe Desired { get; }

    /// <summary>Every status the provider actors under test report (their parent's view).</summary>
    protected TestProbe Statuses { get; }

    /// <summary>Every warning logged in the actor system.</summary>
    protected TestProbe Warnings { get; }

    /// <summary>Starts a provider actor and answers its first question: what it reported before (nothing unless given), the state recovered.</summary>
    protected IActorRef StartProvider(string name, IBackendProvider provider, params VersionedBackend[] before) =>
        StartProvider(name, provider, Fast, before);

    protected IActorRef StartProvider(string name, IBackendProvider provider, ProviderBackoff backoff, params VersionedBackend[] before)
    {
        var actor = Sys.ActorOf(ProviderActor.Props(name, provider, Manager, Desired, channelSize: 16, backoff, reportTo: Statuses));
        Desired.ExpectMsg<GetBackends>();
        Desired.Reply(new BackendsList(before, Recovered: true));
        return actor;
    }

    /// <summary>The next command at the manager, which must be an upsert; answered as the manager would.</summary>
    protected UpsertBackend ExpectUpsert(string name)
    {
        var upsert = Manager.ExpectMsg<UpsertBackend>();
        Assert.Equal(name, upsert.BackendName);
        Manager.Reply(new BackendAccepted(upsert.BackendName, 1, Changed: true));
        return upsert;
    }

    /// <summary>The next command at the manager, which must be a remove; answered as the manager would.</summary>
    protected RemoveBackend ExpectRemove(string name)
    {
        var remove = Manager.ExpectMsg<RemoveBackend>();
        Assert.Equal(name, remove.BackendName);
        Manager.Reply(new BackendRemoved(remove.BackendName, 2));
        return remove;
    }

    /// <summary>Waits for a failure of <paramref name="provider"/> logged (as a warning) whose text holds <paramref name="cause"/>.</summary>
    protected Warning ExpectFailureLogged(string provider, string cause, TimeSpan? within = null) =>
        Warnings.FishForMessage<Warning>(w => w.Message.ToString()!.Contains($"Provider [{provider}] failed") &&
                                              w.Message.ToString()!.Contains(cause, StringComparison.OrdinalIgnoreCase),
            within ?? TimeSpan.FromSeconds(5));

    /// <summary>Waits for a reported status that satisfies <paramref name="condition"/>; earlier ones are passed over.</summary>
    protected ProviderStatus ExpectStatus(Func<ProviderStatus, bool> condition, TimeSpan? within = null) =>
        Statuses.FishForMessage<ProviderStatus>(s => condition(s), within ?? TimeSpan.FromSeconds(5));

    protected void Eventually(Func<bool> condition) =>
        AwaitCondition(condition, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));
}
