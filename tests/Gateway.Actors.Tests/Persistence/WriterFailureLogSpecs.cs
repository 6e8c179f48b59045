using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Gateway.Actors.Cluster;
using Gateway.Actors.Tests.Support;
using Gateway.Shared.Messages;
using Gateway.Testing;
using Xunit.Abstractions;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Persistence;

/// <summary>
/// Backends' writers on a PostgreSQL journal that nothing answers (a port nobody listens on): every
/// command starts its writer again and each start fails, but the warning that a writer could not
/// read its journal comes once for the node, not once per command or per writer.
/// </summary>
public sealed class WriterFailureLogSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(Config(FreePort.Next()), output: output)
{
    private static Config Config(int port) =>
        PostgresJournalConfig.For($"Host=127.0.0.1;Port={port};Username=postgres;Timeout=2", autoInitialize: false);

    [Fact]
    public void Writers_that_cannot_read_their_journal_should_warn_once_however_many_commands_start_them()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        string[] names = ["api", "web", "shop"];
        var gates = names.Select(name => Sys.ActorOf(WritersHosting.ShardedBackendProps(name, CreateTestProbe().Ref))).ToList();

        const int commands = 12;
        for (var i = 0; i < commands; i++)
        {
            gates[i % gates.Count].Tell(new UpsertBackend(Backend(names[i % gates.Count]), "admin-api"));
            // each is answered not stored (at once once the gate counts the journal as down), after a start that failed
            Assert.Contains("could not be read", ExpectMsg<NotStored>(TimeSpan.FromSeconds(30)).Reason);
        }

        var lines = warnings.ReceiveWhile(TimeSpan.FromSeconds(1), m => (Warning)m).Select(w => w.Message.ToString() ?? "").ToList();
        Assert.Single(lines, line => line.StartsWith("Writer [backend-", StringComparison.Ordinal) && line.Contains("] stops: ", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains("] is down: ", StringComparison.Ordinal));
    }
}
