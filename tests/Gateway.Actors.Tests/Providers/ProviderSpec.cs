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
/// command like it) and the desired-state view (answering the seeding question); restarts back
/// off from 50 ms to 200 ms so failures are retried quickly; logged errors are caught by a probe.
/// </summary>
public abstract class ProviderSpec : Akka.TestKit.Xunit2.TestKit
{
    protected static readonly ProviderActor.Backoff Fast = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));

    protected ProviderSpec(ITestOutputHelper output)
        : base("akka.loglevel = DEBUG\nakka.test.single-expect-default = 5s", output: output)
    {
        Manager = CreateTestProbe();
        Desired = CreateTestProbe();
        Errors = CreateTestProbe();
        Sys.EventStream.Subscribe(Errors, typeof(Error));
    }

    protected TestProbe Manager { get; }

    protected TestProbe Desired { get; }

    /// <summary>Every error logged in the actor system.</summary>
    protected TestProbe Errors { get; }

    /// <summary>Starts a provider actor and answers its first question: what it reported before (nothing unless given), the state recovered.</summary>
    protected IActorRef StartProvider(string name, IBackendProvider provider, params VersionedBackend[] before)
    {
        var actor = Sys.ActorOf(ProviderActor.Props(name, provider, Manager, Desired, channelSize: 16, Fast));
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

    /// <summary>Waits for an error logged about <paramref name="provider"/> whose text holds <paramref name="cause"/>.</summary>
    protected Error ExpectFailureLogged(string provider, string cause) =>
        Errors.FishForMessage<Error>(e => e.Message.ToString()!.Contains($"Provider [{provider}] failed") &&
                                          e.Message.ToString()!.Contains(cause, StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(5));

    protected void Eventually(Func<bool> condition) =>
        AwaitCondition(condition, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));
}
