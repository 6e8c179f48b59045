using Akka.Actor;
using Akka.Event;
using Gateway.Actors.Health;
using Gateway.Actors.Persistence;
using Gateway.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.Persistence;

/// <summary>
/// The read journal is obtained off the actors, retried with backoff while it fails (each failure
/// logged with what is awaited and told to /readyz), and handed to whoever waits once it answers.
/// </summary>
public class JournalReadinessActorSpecs(ITestOutputHelper output) : SqliteJournalSpec(output)
{
    [Fact]
    public void Readiness_should_hand_over_the_read_journal_to_those_waiting_once_it_answers()
    {
        var journal = Sys.ActorOf(JournalReadinessActor.Props(ReadJournalId, "SQLite journal"));

        journal.Tell(JournalReadinessActor.AwaitJournal.Instance);

        Assert.IsType<Akka.Persistence.Sql.Query.SqlReadJournal>(ExpectMsg<JournalReadinessActor.JournalAvailable>().ReadJournal);
        journal.Tell(GetStartupStatus.Instance);
        Assert.True(ExpectMsg<StartupStatus>().Done);
    }

    [Fact]
    public void Readiness_should_keep_trying_a_journal_that_fails_and_say_what_it_waits_for()
    {
        var backoff = new JournalReadinessActor.Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));
        var journal = EventFilter.Warning(start: "Waiting for the [broken journal]").Expect(3, TimeSpan.FromSeconds(20), () =>
        {
            var actor = Sys.ActorOf(JournalReadinessActor.Props("akka.persistence.query.journal.does-not-exist", "broken journal", backoff));
            actor.Tell(JournalReadinessActor.AwaitJournal.Instance);
            return actor;
        });

        journal.Tell(GetStartupStatus.Instance);

        var status = ExpectMsg<StartupStatus>();
        Assert.Equal("journal", status.Component);
        Assert.StartsWith("the broken journal, which failed", status.WaitingFor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nobody was told it is available
    }
}
