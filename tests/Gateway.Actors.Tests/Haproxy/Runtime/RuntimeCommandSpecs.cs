using Gateway.Actors.Haproxy.Runtime;

namespace Gateway.Actors.Tests.Haproxy.Runtime;

/// <summary>HAProxy's runtime replies carry no status code: success is read from the text, here on replies HAProxy 2.6 really gives.</summary>
public class RuntimeCommandSpecs
{
    private const string UnknownCommand = "Unknown command, but maybe one of the following ones is a better match:..";

    public static TheoryData<ReplyExpectation, string, bool> Replies => new()
    {
        { ReplyExpectation.Empty, "", true },
        { ReplyExpectation.Empty, "No such server.", false },
        { ReplyExpectation.Empty, "Absolute weight can only be between 0 and 256 inclusive.", false },
        { ReplyExpectation.Empty, UnknownCommand, false },
        { ReplyExpectation.AddressChange, "", true },
        { ReplyExpectation.AddressChange, "IP changed from '127.0.0.1' to '1.2.3.4', port changed from '9999' to '80' by 'stats socket command'", true },
        { ReplyExpectation.AddressChange, "no need to change the addr, no need to change the port by 'stats socket command'", true },
        { ReplyExpectation.AddressChange, "port changed from '9999' to '80' by 'stats socket command'", true },
        { ReplyExpectation.AddressChange, "No such server.", false },
        { ReplyExpectation.AddressChange, UnknownCommand, false },
        { ReplyExpectation.ServerAdded, "New server registered.", true },
        { ReplyExpectation.ServerAdded, "Already exists a server with the same name in backend.", false },
        { ReplyExpectation.ServerAdded, "", false },
        { ReplyExpectation.ServerDeleted, "Server deleted.", true },
        { ReplyExpectation.ServerDeleted, "Only servers in maintenance mode can be deleted.", false },
        { ReplyExpectation.ServerDeleted, "No such server.", false },
        { ReplyExpectation.ServerDeleted, "", false },
        { ReplyExpectation.NewVersion, "New version created: 1", true },
        { ReplyExpectation.NewVersion, UnknownCommand, false },
        { ReplyExpectation.NewVersion, "", false },
        { ReplyExpectation.Output, "1\n# be_id be_name srv_id srv_name", true },
        { ReplyExpectation.Output, "", true },
        { ReplyExpectation.Output, UnknownCommand, false },
        { ReplyExpectation.Output, "Permission denied", false },
        { ReplyExpectation.Output, "Can't find backend.", false },
        { ReplyExpectation.Output, "Unknown map identifier. Please use #<id> or <file>.", false },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void RuntimeCommand_should_read_success_from_the_reply_text(ReplyExpectation expect, string reply, bool success)
    {
        var command = new RuntimeCommand("any", expect);

        var ok = command.IsSuccess(reply);

        Assert.Equal(success, ok);
    }

    [Fact]
    public void RuntimeCommand_should_treat_an_unknown_expectation_as_failure()
    {
        var command = new RuntimeCommand("any", (ReplyExpectation)99);

        var ok = command.IsSuccess("");

        Assert.False(ok);
    }

    [Fact]
    public void RuntimeReply_should_print_the_output_only_when_it_failed()
    {
        var command = new RuntimeCommand("del server be/s1", ReplyExpectation.ServerDeleted);

        var (ok, failed) = (new RuntimeReply(command, "Server deleted.", true), RuntimeReply.Failed(command, "No such server."));

        Assert.Equal("del server be/s1: ok", ok.ToString());
        Assert.Equal("del server be/s1: No such server.", failed.ToString());
        Assert.False(failed.Ok);
    }
}
