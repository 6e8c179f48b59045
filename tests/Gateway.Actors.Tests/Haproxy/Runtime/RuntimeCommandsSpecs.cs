using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy.Runtime;

/// <summary>The exact command lines sent to the runtime API, each with the reply that counts as success.</summary>
public class RuntimeCommandsSpecs
{
    private const string Map = "/var/lib/gw/maps/hostpath.map";

    public static TheoryData<string, RuntimeCommand, string, ReplyExpectation> Commands => new()
    {
        { "set address", RuntimeCommands.SetAddress("be", "s1", "1.2.3.4", 80), "set server be/s1 addr 1.2.3.4 port 80", ReplyExpectation.AddressChange },
        { "set ipv6 address", RuntimeCommands.SetAddress("be", "s1", "2001:db8::1", 8080), "set server be/s1 addr 2001:db8::1 port 8080", ReplyExpectation.AddressChange },
        { "delete server", RuntimeCommands.DeleteServer("be", "s1"), "del server be/s1", ReplyExpectation.ServerDeleted },
        { "set state ready", RuntimeCommands.SetState("be", "s1", ServerAdminState.Ready), "set server be/s1 state ready", ReplyExpectation.Empty },
        { "set state drain", RuntimeCommands.SetState("be", "s1", ServerAdminState.Drain), "set server be/s1 state drain", ReplyExpectation.Empty },
        { "set state maint", RuntimeCommands.SetState("be", "s1", ServerAdminState.Maint), "set server be/s1 state maint", ReplyExpectation.Empty },
        { "set weight", RuntimeCommands.SetWeight("be", "s1", 7), "set weight be/s1 7", ReplyExpectation.Empty },
        { "enable health", RuntimeCommands.EnableHealth("be", "s1"), "enable health be/s1", ReplyExpectation.Empty },
        { "add map entry", RuntimeCommands.AddMapEntry(Map, "a.example.com/", "api"), $"add map {Map} a.example.com/ api", ReplyExpectation.Empty },
        { "set map entry", RuntimeCommands.SetMapEntry(Map, "a.example.com/", "web"), $"set map {Map} a.example.com/ web", ReplyExpectation.Empty },
        { "delete map entry", RuntimeCommands.DeleteMapEntry(Map, "a.example.com/"), $"del map {Map} a.example.com/", ReplyExpectation.Empty },
        { "prepare map", RuntimeCommands.PrepareMap(Map), $"prepare map {Map}", ReplyExpectation.NewVersion },
        { "add to map version", RuntimeCommands.AddMapEntry(3, Map, "/api/", "api"), $"add map @3 {Map} /api/ api", ReplyExpectation.Empty },
        { "commit map version", RuntimeCommands.CommitMap(3, Map), $"commit map @3 {Map}", ReplyExpectation.Empty },
        { "show all servers state", RuntimeCommands.ShowServersState(), "show servers state", ReplyExpectation.Output },
        { "show one backend's servers state", RuntimeCommands.ShowServersState("be"), "show servers state be", ReplyExpectation.Output },
        { "show info", RuntimeCommands.ShowInfo(), "show info", ReplyExpectation.Output },
        { "add plain server", RuntimeCommands.AddServer(Backend("be") with { HealthCheck = new() { Enabled = false } }, Server("s1", "10.0.0.1", 8080)),
            "add server be/s1 10.0.0.1:8080 pool-max-conn -1 pool-purge-delay 5s", ReplyExpectation.ServerAdded },
        { "add checked h2c server", RuntimeCommands.AddServer(Backend("be") with { Protocol = ServerProtocol.H2c }, Server("s1", "10.0.0.1", 8080, weight: 3)),
            "add server be/s1 10.0.0.1:8080 check inter 2s weight 3 proto h2 pool-max-conn -1 pool-purge-delay 5s", ReplyExpectation.ServerAdded },
        { "add h2 server", RuntimeCommands.AddServer(Backend("be") with { Protocol = ServerProtocol.H2, Tls = new() { Sni = "api.internal" } }, Server("s1", "::1", 8443)),
            "add server be/s1 [::1]:8443 check inter 2s ssl verify required ca-file @system-ca sni str(api.internal) check-sni api.internal alpn h2,http/1.1 pool-max-conn -1 pool-purge-delay 5s",
            ReplyExpectation.ServerAdded },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void RuntimeCommands_should_build_the_exact_command_line(string name, RuntimeCommand command, string text, ReplyExpectation expect)
    {
        var built = command;

        var (actualText, actualExpect) = (built.Text, built.Expect);

        Assert.True(text == actualText, $"{name}: expected [{text}], got [{actualText}]");
        Assert.Equal(expect, actualExpect);
    }

    [Fact]
    public void RuntimeCommands_should_not_add_a_server_in_maint_by_a_keyword()
    {
        var backend = Backend("be") with { HealthCheck = new() { Enabled = false } };

        var command = RuntimeCommands.AddServer(backend, Server("s1", state: ServerAdminState.Maint));

        Assert.Equal("add server be/s1 10.0.0.1:8080 pool-max-conn -1 pool-purge-delay 5s", command.Text);
    }

    [Fact]
    public void RuntimeCommands_should_refuse_an_unknown_admin_state()
    {
        var unknown = (ServerAdminState)99;

        var act = () => RuntimeCommands.StateKeyword(unknown);

        Assert.Throws<ArgumentOutOfRangeException>(act);
    }
}
