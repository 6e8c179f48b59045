using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;

namespace Gateway.Actors.Tests.Haproxy.Runtime;

/// <summary><c>show servers state</c> is read by column name, so a reordered or extended header does not shift the values.</summary>
public class ServerStatesSpecs
{
    private const string Header =
        "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change "
        + "srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn "
        + "srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port";

    private const string Reply =
        "1\n" + Header + "\n"
        + "2 be 1 s1 127.0.0.9 2 0 5 3 1 1 0 2 0 0 0 0 - 9009 - 0 0 - - 0\n"
        + "2 be 2 s2 ::1 0 9 1 1 77 6 3 4 6 0 0 0 - 8080 - 0 0 - - 0\n";

    [Fact]
    public void ServerStates_should_read_every_server_line()
    {
        var text = Reply;

        var servers = ServerStates.Parse(text);

        Assert.Equal(
        [
            new LiveServer("be", "s1", "127.0.0.9", 9009, OperationalState: 2, AdminState: 0, Weight: 5, InitialWeight: 3),
            new LiveServer("be", "s2", "::1", 8080, OperationalState: 0, AdminState: 9, Weight: 1, InitialWeight: 1),
        ], servers);
    }

    [Fact]
    public void ServerStates_should_find_columns_by_their_header_name()
    {
        var text = "1\n# be_id srv_port srv_name be_name srv_addr srv_iweight srv_uweight srv_admin_state srv_op_state extra\n"
                   + "2 9009 s1 be 127.0.0.9 3 5 8 2 x\n";

        var servers = ServerStates.Parse(text);

        Assert.Equal([new LiveServer("be", "s1", "127.0.0.9", 9009, 2, 8, 5, 3)], servers);
    }

    [Fact]
    public void ServerStates_should_skip_the_version_line_and_comment_lines()
    {
        var text = "1\n" + Header + "\n# a comment\n\n2 be 1 s1 127.0.0.9 2 0 5 3 1 1 0 2 0 0 0 0 - 9009 - 0 0 - - 0\n\n";

        var servers = ServerStates.Parse(text);

        var server = Assert.Single(servers);
        Assert.Equal(("be", "s1"), (server.Backend, server.Server));
    }

    [Fact]
    public void ServerStates_should_skip_a_truncated_line()
    {
        var text = "1\n" + Header + "\n2 be 1 s1 127.0.0.9 2 0\n";

        var servers = ServerStates.Parse(text);

        Assert.Empty(servers);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1\n")]
    [InlineData("Can't find backend.\n")]
    public void ServerStates_should_find_no_servers_when_the_reply_has_no_header(string text)
    {
        var reply = text;

        var servers = ServerStates.Parse(reply);

        Assert.Empty(servers);
    }

    [Fact]
    public void ServerStates_should_refuse_a_header_without_a_needed_column()
    {
        var text = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight\n";

        var act = () => ServerStates.Parse(text);

        var error = Assert.Throws<FormatException>(act);
        Assert.Contains("srv_port", error.Message);
    }

    [Theory]
    [InlineData(0, ServerAdminState.Ready)]
    [InlineData(8, ServerAdminState.Drain)]
    [InlineData(0x10, ServerAdminState.Drain)]
    [InlineData(1, ServerAdminState.Maint)]
    [InlineData(2, ServerAdminState.Maint)]
    [InlineData(4, ServerAdminState.Maint)]
    [InlineData(9, ServerAdminState.Maint)]
    [InlineData(0x20, ServerAdminState.Maint)]
    public void LiveServer_should_map_the_admin_bits_to_an_admin_state_with_maint_over_drain(int adminBits, ServerAdminState expected)
    {
        var server = new LiveServer("be", "s1", "10.0.0.1", 80, 2, adminBits, 1, 1);

        var state = server.State;

        Assert.Equal(expected, state);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void LiveServer_should_be_running_only_in_operational_state_2(int operationalState, bool running)
    {
        var server = new LiveServer("be", "s1", "10.0.0.1", 80, operationalState, 0, 1, 1);

        var isRunning = server.IsRunning;

        Assert.Equal(running, isRunning);
    }

    [Fact]
    public void ServerStates_should_read_the_servers_connections_in_use_and_idle_from_show_servers_conn()
    {
        // as HAProxy 2.6 prints it, here of every backend: the header's "#" has no field below it
        var text = "# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[2]\n"
                   + "web/s1 3/1 127.0.0.1 18081 - 5000 2 4 1 1 0 -1 1 1 0\n"
                   + "web/s1:moving 3/2 127.0.0.1 18082 - 5000 0 1 1 0 0 -1 0 0 0\n"
                   + "api/s1 4/1 127.0.0.1 18083 - 5000 0 0 0 0 0 -1 3 3 0\n";

        var connections = ServerStates.Connections(text);

        Assert.Equal(new Dictionary<ServerRef, ServerConnections>
        {
            [new("web", "s1")] = new(2, 1),
            [new("web", "s1:moving")] = new(0, 0),
            [new("api", "s1")] = new(0, 3),
        }, connections);
        Assert.Empty(ServerStates.Connections("Can't find backend.\n"));
    }
}
