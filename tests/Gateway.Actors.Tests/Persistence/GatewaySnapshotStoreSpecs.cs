using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Akka.Pattern;
using Akka.Persistence;
using Gateway.Actors.Persistence;
using Gateway.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Persistence;

/// <summary>
/// <see cref="GatewaySnapshotStore"/> against a PostgreSQL that takes connections and never answers
/// (a database hung, not gone): with the breaker half open, one load goes through and hangs, and the
/// next is answered at once with the breaker's failure. Akka's own store threw at that one, restarted,
/// and left it unanswered: its writer waited out a 30 s recovery timeout.
/// </summary>
public sealed class GatewaySnapshotStoreSpecs : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan ResetTimeout = TimeSpan.FromSeconds(1);
    private readonly TcpListener _silent;

    public GatewaySnapshotStoreSpecs(ITestOutputHelper output) : this(Silent(), output)
    {
    }

    private GatewaySnapshotStoreSpecs(TcpListener silent, ITestOutputHelper output) : base(Config(((IPEndPoint)silent.LocalEndpoint).Port), output: output) =>
        _silent = silent;

    /// <summary>Listens on a free loopback port and accepts nothing: the kernel completes each connect, nobody ever answers.</summary>
    private static TcpListener Silent()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(backlog: 64);
        return listener;
    }

    private static Config Config(int port) =>
        ConfigurationFactory.ParseString($$"""
            akka.persistence.snapshot-store {
              plugin = "akka.persistence.snapshot-store.sql"
              sql {
                class = "Gateway.Actors.Persistence.GatewaySnapshotStore, Gateway.Actors"
                connection-string = "Host=127.0.0.1;Port={{port}};Username=postgres;Timeout=30"
                provider-name = "{{LinqToDB.ProviderName.PostgreSQL15}}"
                auto-initialize = off
                circuit-breaker { max-failures = 1, call-timeout = 1s, reset-timeout = {{ResetTimeout.TotalSeconds}}s }
              }
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);

    [Fact]
    public void A_load_while_the_breaker_is_half_open_should_be_answered_with_the_breakers_failure()
    {
        var store = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        LoadSnapshot Load(string id) => new(id, SnapshotSelectionCriteria.Latest, long.MaxValue);

        store.Tell(Load("first"), TestActor); // hangs until the call times out: the breaker opens
        ExpectMsg<LoadSnapshotFailed>(TimeSpan.FromSeconds(20));
        var open = Stopwatch.StartNew();
        AwaitCondition(() => open.Elapsed > 2 * ResetTimeout, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

        store.Tell(Load("through"), TestActor); // the half-open breaker's one call: it hangs too
        store.Tell(Load("fails-fast"), TestActor);

        var fast = ExpectMsg<LoadSnapshotFailed>(TimeSpan.FromSeconds(20));
        Assert.IsType<OpenCircuitException>(fast.Cause);
        ExpectMsg<LoadSnapshotFailed>(TimeSpan.FromSeconds(20)); // the call that went through, timed out
    }

    [Fact]
    public void Every_snapshot_request_should_have_a_failure_to_answer_with()
    {
        var cause = new OpenCircuitException("half open");
        var metadata = new SnapshotMetadata("p", 3, DateTime.UtcNow);

        Assert.IsType<LoadSnapshotFailed>(GatewaySnapshotStore.FailureFor(new LoadSnapshot("p", SnapshotSelectionCriteria.Latest, 3), cause));
        Assert.Equal(metadata, Assert.IsType<SaveSnapshotFailure>(GatewaySnapshotStore.FailureFor(new SaveSnapshot(metadata, "state"), cause)).Metadata);
        Assert.Equal(metadata, Assert.IsType<DeleteSnapshotFailure>(GatewaySnapshotStore.FailureFor(new DeleteSnapshot(metadata), cause)).Metadata);
        Assert.IsType<DeleteSnapshotsFailure>(GatewaySnapshotStore.FailureFor(new DeleteSnapshots("p", SnapshotSelectionCriteria.Latest), cause));
        Assert.Null(GatewaySnapshotStore.FailureFor("not a request", cause));
    }

    public new void Dispose()
    {
        _silent.Stop();
        base.Dispose();
    }
}
