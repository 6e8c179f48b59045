using System.Net.Sockets;
using Akka.Pattern;
using Gateway.Actors.Persistence;

namespace Gateway.Actors.Tests.Persistence;

public sealed class JournalFailureSpecs
{
    [Fact]
    public void A_failure_should_be_described_in_the_journals_own_words_without_the_wrapping()
    {
        var failure = new AggregateException(new SocketException((int)SocketError.ConnectionRefused));

        Assert.Equal("the journal could not be read (SocketException: Connection refused)",
            JournalFailure.Describe(failure, "the journal could not be read"));
    }

    [Fact]
    public void A_call_failed_fast_by_the_circuit_breaker_should_say_so_and_name_the_databases_last_error()
    {
        // after an outage the breaker fails calls for a while even though the database is back: the
        // reason names the breaker, or an operator reads "Connection refused" against a running database
        var failure = new OpenCircuitException(new SocketException((int)SocketError.ConnectionRefused), TimeSpan.FromSeconds(1.5));

        Assert.Equal("the journal could not be read (SocketException: Connection refused; the journal's circuit breaker fails calls fast for [1.5] s more)",
            JournalFailure.Describe(failure, "the journal could not be read"));
    }

    [Fact]
    public void A_breaker_without_a_cause_should_be_named_alone()
    {
        var failure = new OpenCircuitException("Circuit Breaker is open; calls are failing fast", TimeSpan.FromSeconds(2));

        Assert.Equal("the journal could not be written (the journal's circuit breaker fails calls fast for [2] s more)", JournalFailure.Describe(failure));
    }
}
