using Akka.Actor;
using Akka.TestKit;
using Gateway.Actors.Backends;
using Gateway.Actors.DesiredState;
using Gateway.Actors.Routes;
using Gateway.Actors.Tests.Support;
using Gateway.Shared.Messages;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.DesiredState;

/// <summary>
/// The journal tail on a real SQLite journal: changes whose writers reported elsewhere (another
/// node's writers, in a cluster) reach this node's desired state from the <c>gateway</c> tag, after
/// the catalog's offset; route events make it ask the routes' writer; a read that fails is resumed
/// from where it stopped.
/// </summary>
public class JournalTailActorSpecs(ITestOutputHelper output) : SqliteJournalSpec(output)
{
    private const string Admin = "admin-api";

    private (IActorRef Tail, IActorRef Routes) StartTail(TestProbe desired)
    {
        var catalog = Sys.ActorOf(BackendCatalogActor.Props(Journal, TimeSpan.FromHours(1), settle: TimeSpan.Zero));
        var routes = Sys.ActorOf(RoutesActor.Props(CreateTestProbe()), "routes");
        var tail = Sys.ActorOf(JournalTailActor.Props(Journal, catalog, desired, routes), "tail");
        AwaitAssert(() =>
        {
            tail.Tell(JournalTailActor.GetPosition.Instance);
            Assert.True(ExpectMsg<JournalTailActor.Position>().Offset > 0, "the tail follows from the catalog's offset");
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        return (tail, routes);
    }

    [Fact]
    public void Tail_should_bring_backend_and_route_changes_written_after_the_catalogs_offset()
    {
        History("api", new UpsertBackend(Backend("api"), Admin));
        var desired = CreateTestProbe();
        var (_, routes) = StartTail(desired);

        // written by writers whose own reports go elsewhere, as another node's do
        History("api", new UpsertBackend(Backend("api", Server("s1", "10.0.0.2")), Admin));
        History("web", new UpsertBackend(Backend("web"), Admin), new RemoveBackend("web", Admin));
        routes.Tell(new SetRoute(Route("", "/", "api"), Admin));
        ExpectMsg<RouteAccepted>();

        var seen = new List<object>();
        desired.FishForMessage(message =>
        {
            seen.Add(message);
            return message is RoutesStateChanged { Version: 1 };
        }, TimeSpan.FromSeconds(20));
        var backends = seen.OfType<BackendStateChanged>().ToList();
        Assert.Contains(new BackendStateChanged("api", 2, Backend("api", Server("s1", "10.0.0.2")), Admin), backends);
        Assert.Contains(new BackendStateChanged("web", 2, null, Admin), backends);
        Assert.DoesNotContain(backends, b => b is { BackendName: "api", Version: 1 }); // the catalog had it: the tail starts after
        var route = Assert.Single(seen.OfType<RoutesStateChanged>().Single().Routes);
        Assert.Equal((Route("", "/", "api").Key, "api"), (route.Key, route.Backend));
    }

    [Fact]
    public void Tail_should_resume_from_where_it_stopped_when_a_read_fails()
    {
        History("api", new UpsertBackend(Backend("api"), Admin));
        var desired = CreateTestProbe();
        var (tail, _) = StartTail(desired);
        // the database files are gone: a new connection makes an empty database, without a journal table
        EventFilter.Warning(contains: "Could not read the journal's [gateway] tag").ExpectOne(TimeSpan.FromSeconds(20), () => MoveDatabase(DatabasePath, DatabasePath + ".away"));
        MoveDatabase(DatabasePath + ".away", DatabasePath);

        History("api", new UpsertBackend(Backend("api", Server("s1", "10.0.0.3")), Admin));

        desired.FishForMessage(m => m is BackendStateChanged { BackendName: "api", Version: 2 }, TimeSpan.FromSeconds(30));
        tail.Tell(JournalTailActor.GetPosition.Instance);
        Assert.Equal(0, ExpectMsg<JournalTailActor.Position>().Failures);
    }

    /// <summary>Moves the database with its WAL and shared-memory files, replacing what is at <paramref name="to"/>; no pooled connection keeps the old ones.</summary>
    private static void MoveDatabase(string from, string to)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(to + suffix);
            if (File.Exists(from + suffix))
                File.Move(from + suffix, to + suffix);
        }
    }
}
