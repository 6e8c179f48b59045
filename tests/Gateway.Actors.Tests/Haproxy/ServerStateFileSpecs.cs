using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>
/// HAProxy restores port, weight and admin state from the state file over the new config, so the
/// file written before a reload carries the desired values and keeps only HAProxy's own
/// observations (operational and check state) from the live dump.
/// </summary>
public class ServerStateFileSpecs
{
    private const string Header =
        "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change "
        + "srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn "
        + "srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port";

    /// <summary>A <c>show servers state</c> reply: two backends, one server down with its check fields set.</summary>
    private const string Live =
        "1\n" + Header + "\n"
        + "2 be 1 s1 127.0.0.9 2 0 5 5 1 1 0 2 0 0 0 0 - 9009 - 0 0 - - 0\n"
        + "2 be 2 s2 127.0.0.10 0 1 1 1 77 6 3 4 6 0 0 0 - 9010 - 0 0 - - 0\n"
        + "3 old 1 s1 127.0.0.11 2 0 1 1 5 1 0 2 0 0 0 0 - 9011 - 0 0 - - 0\n"
        + "\n";

    private static string[] DataLines(string merged) =>
        merged.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToArray();

    [Fact]
    public void ServerStateFile_should_start_with_the_version_line_and_the_live_header()
    {
        var desired = new[] { Backend("be", Server("s1", "127.0.0.9", 9009)) };

        var merged = ServerStateFile.Merge(Live, desired);

        Assert.StartsWith("1\n" + Header + "\n", merged);
    }

    [Fact]
    public void ServerStateFile_should_rewrite_address_port_and_weights_to_the_desired_server()
    {
        var desired = new[] { Backend("be", Server("s1", "10.0.0.5", 8081, weight: 7)) };

        var merged = ServerStateFile.Merge(Live, desired);

        Assert.Equal(["2 be 1 s1 10.0.0.5 2 0 7 7 1 1 0 2 0 0 0 0 - 8081 - 0 0 - - 0"], DataLines(merged));
    }

    [Fact]
    public void ServerStateFile_should_write_the_default_weight_when_none_is_set()
    {
        var desired = new[] { Backend("be", Server("s1", "127.0.0.9", 9009)) };

        var merged = ServerStateFile.Merge(Live, desired);

        var fields = Assert.Single(DataLines(merged)).Split(' ');
        Assert.Equal(("1", "1"), (fields[7], fields[8]));
    }

    [Theory]
    [InlineData(ServerAdminState.Ready, "0")]
    [InlineData(ServerAdminState.Drain, "8")]
    [InlineData(ServerAdminState.Maint, "4")]
    public void ServerStateFile_should_write_the_desired_admin_state(ServerAdminState state, string adminBits)
    {
        var desired = new[] { Backend("be", Server("s2", "127.0.0.10", 9010, state: state)) };

        var merged = ServerStateFile.Merge(Live, desired);

        var fields = Assert.Single(DataLines(merged)).Split(' ');
        Assert.Equal(adminBits, fields[6]);
    }

    [Fact]
    public void ServerStateFile_should_keep_the_operational_and_check_state_as_haproxy_saw_them()
    {
        var desired = new[] { Backend("be", Server("s2", "10.0.0.6", 80)) };

        var merged = ServerStateFile.Merge(Live, desired);

        Assert.Equal(["2 be 2 s2 10.0.0.6 0 0 1 1 77 6 3 4 6 0 0 0 - 80 - 0 0 - - 0"], DataLines(merged));
    }

    [Fact]
    public void ServerStateFile_should_drop_servers_and_backends_that_are_not_desired()
    {
        var desired = new[] { Backend("be", Server("s1", "127.0.0.9", 9009)), Backend("new", Server("s1", "10.9.9.9", 1)) };

        var merged = ServerStateFile.Merge(Live, desired);

        var servers = DataLines(merged).Select(l => string.Join('/', l.Split(' ')[1], l.Split(' ')[3]));
        Assert.Equal(["be/s1"], servers);
    }

    [Fact]
    public void ServerStateFile_should_match_servers_by_backend_and_name()
    {
        var desired = new[] { Backend("be", Server("s1", "10.0.0.1", 1)), Backend("old", Server("s1", "10.0.0.2", 2)) };

        var merged = ServerStateFile.Merge(Live, desired);

        Assert.Equal(
        [
            "2 be 1 s1 10.0.0.1 2 0 1 1 1 1 0 2 0 0 0 0 - 1 - 0 0 - - 0",
            "3 old 1 s1 10.0.0.2 2 0 1 1 5 1 0 2 0 0 0 0 - 2 - 0 0 - - 0",
        ], DataLines(merged));
    }

    [Fact]
    public void ServerStateFile_should_drop_a_truncated_line()
    {
        var live = "1\n" + Header + "\n2 be 1 s1 127.0.0.9 2 0 5 5\n";

        var merged = ServerStateFile.Merge(live, [Backend("be", Server("s1"))]);

        Assert.Equal("1\n" + Header + "\n", merged);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1\n")]
    [InlineData("Unknown command, but maybe one of the following ones is a better match:\n")]
    [InlineData("garbage without a header\n2 be 1 s1 127.0.0.9 2 0 5 5 1 1 0 2 0 0 0 0 - 9009 - 0 0 - - 0\n")]
    public void ServerStateFile_should_write_only_the_version_line_when_the_live_state_has_no_header(string live)
    {
        var desired = new[] { Backend("be", Server("s1")) };

        var merged = ServerStateFile.Merge(live, desired);

        Assert.Equal("1\n", merged);
    }

    [Fact]
    public void ServerStateFile_should_write_a_line_for_a_server_in_drain_that_haproxy_has_none_for()
    {
        // haproxy.cfg has no drain keyword: without a line, a server added at runtime since the last reload starts ready.
        var desired = new[] { Backend("be", Server("s1", "127.0.0.9", 9009), Server("s3", "10.0.0.7", 81, weight: 4, state: ServerAdminState.Drain)) };

        var merged = ServerStateFile.Merge(Live, desired);

        Assert.Equal(
        [
            "2 be 1 s1 127.0.0.9 2 0 1 1 1 1 0 2 0 0 0 0 - 9009 - 0 0 - - 0",
            "0 be 0 s3 10.0.0.7 2 8 4 4 0 1 0 0 0 0 0 0 - 81 - 0 0 - - 0",
        ], DataLines(merged));
    }

    [Theory]
    [InlineData(ServerAdminState.Ready)]
    [InlineData(ServerAdminState.Maint)]
    public void ServerStateFile_should_write_no_line_for_a_server_the_config_starts_as_desired(ServerAdminState state)
    {
        var desired = new[] { Backend("be", Server("s1", "127.0.0.9", 9009), Server("s3", "10.0.0.7", 81, state: state)) };

        var merged = ServerStateFile.Merge(Live, desired);

        Assert.Equal(["2 be 1 s1 127.0.0.9 2 0 1 1 1 1 0 2 0 0 0 0 - 9009 - 0 0 - - 0"], DataLines(merged));
    }

    [Fact]
    public void ServerStateFile_should_mark_a_drain_line_of_a_tls_backend_as_using_ssl()
    {
        // HAProxy applies srv_use_ssl to a server with a TLS context: 0 would turn its TLS off.
        var desired = new[] { Backend("tls", Server("s1", "10.0.0.7", 443, state: ServerAdminState.Drain)) with { Protocol = ServerProtocol.H2 } };

        var merged = ServerStateFile.Merge(Live, desired);

        Assert.Equal("1", Assert.Single(DataLines(merged)).Split(' ')[20]);
    }

    [Fact]
    public void ServerStateFile_should_write_its_own_header_for_a_drain_line_when_the_live_state_has_none()
    {
        var desired = new[] { Backend("be", Server("s1", "10.0.0.7", 81, state: ServerAdminState.Drain)) };

        var merged = ServerStateFile.Merge("1\n", desired);

        Assert.Equal("1\n" + Header + "\n0 be 0 s1 10.0.0.7 2 8 1 1 0 1 0 0 0 0 0 0 - 81 - 0 0 - - 0\n", merged);
    }
}
