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
/// A backend's writer on a PostgreSQL journal that nothing answers (a port nobody listens on): every
/// command starts the writer again and each start fails, but the warning that it could not read its
/// journal comes once, not once per command.
/// </summary>
public sealed class RecoveryFailureLogSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(Config(FreePort.Next()), output: output)
{
    private static Config Config(int port) =>
        PostgresJournalConfig.For($"Host=127.0.0.1;Port={port};Username=postgres;Timeout=2", autoInitialize: false);

    [Fact]
    public void A_writer_that_cannot_read_its_journal_should_warn_once_however_many_commands_start_it()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var gate = Sys.ActorOf(WritersHosting.ShardedBackendProps("api", CreateTestProbe().Ref));

        const int commands = 12;
        for (var i = 0; i < commands; i++)
        {
            gate.Tell(new UpsertBackend(Backend("api"), "admin-api"));
            // each is answered not stored (at once once the gate counts the journal as down), after a start that failed
            Assert.Contains("could not be read", ExpectMsg<NotStored>(TimeSpan.FromSeconds(30)).Reason);
        }

        var stops = warnings.ReceiveWhile(TimeSpan.FromSeconds(1), m => (Warning)m)
            .Select(w => w.Message.ToString() ?? "")
            .Where(line => line.StartsWith("Writer [backend-api] stops", StringComparison.Ordinal))
            .ToList();
        Assert.Single(stops);
    }
}
