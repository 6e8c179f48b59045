using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy.Runtime;

/// <summary>A dynamic server starts in maint with its checks off, so adding one takes up to three commands, in order.</summary>
public class RuntimeOperationsSpecs
{
    private static readonly Backend Checked = Backend("be");
    private static readonly Backend Unchecked = Backend("be") with { HealthCheck = new() { Enabled = false } };

    private static IEnumerable<string> Texts(IEnumerable<RuntimeCommand> commands) => commands.Select(c => c.Text);

    [Theory]
    [InlineData(ServerAdminState.Ready, "ready")]
    [InlineData(ServerAdminState.Drain, "drain")]
    public void RuntimeOperations_should_add_enable_health_and_set_the_state_when_the_backend_checks(ServerAdminState state, string keyword)
    {
        var server = Server("s1", state: state);

        var commands = RuntimeOperations.AddServer(Checked, server);

        Assert.Equal(["add server be/s1 10.0.0.1:8080 check inter 2s pool-max-conn -1 pool-purge-delay 5s", "enable health be/s1", $"set server be/s1 state {keyword}"], Texts(commands));
    }

    [Fact]
    public void RuntimeOperations_should_not_enable_health_when_the_backend_does_not_check()
    {
        var server = Server("s1");

        var commands = RuntimeOperations.AddServer(Unchecked, server);

        Assert.Equal(["add server be/s1 10.0.0.1:8080 pool-max-conn -1 pool-purge-delay 5s", "set server be/s1 state ready"], Texts(commands));
    }

    [Fact]
    public void RuntimeOperations_should_leave_a_maint_server_in_maint_when_adding_it()
    {
        var server = Server("s1", state: ServerAdminState.Maint);

        var (withChecks, withoutChecks) = (RuntimeOperations.AddServer(Checked, server), RuntimeOperations.AddServer(Unchecked, server));

        Assert.Equal(["add server be/s1 10.0.0.1:8080 check inter 2s pool-max-conn -1 pool-purge-delay 5s", "enable health be/s1"], Texts(withChecks));
        Assert.Equal(["add server be/s1 10.0.0.1:8080 pool-max-conn -1 pool-purge-delay 5s"], Texts(withoutChecks));
    }

    [Theory]
    [InlineData("No such server.", true)]
    [InlineData("No such backend.", true)]
    [InlineData("Can't find backend.", true)]
    [InlineData("Server deleted.", false)]
    [InlineData("Only servers in maintenance mode can be deleted.", false)]
    [InlineData("", false)]
    public void RuntimeOperations_should_recognise_replies_saying_the_server_is_gone(string reply, bool gone)
    {
        var text = reply;

        var isGone = RuntimeOperations.IsGone(text);

        Assert.Equal(gone, isGone);
    }
}
