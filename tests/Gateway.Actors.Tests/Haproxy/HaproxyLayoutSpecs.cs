using Gateway.Actors.Haproxy;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>All of one HAProxy's files live under one directory, short enough for its unix sockets (107 bytes).</summary>
public class HaproxyLayoutSpecs
{
    /// <summary>"/tmp/" + name + "/master.sock" is 17 bytes plus the name.</summary>
    private static string DirectoryWithMasterSocketOf(int bytes) => "/tmp/" + new string('a', bytes - 17);

    [Fact]
    public void HaproxyLayout_should_accept_a_directory_whose_master_socket_is_107_bytes()
    {
        var directory = DirectoryWithMasterSocketOf(107);

        var layout = HaproxyLayout.Under(directory);

        Assert.Equal(107, layout.MasterSocket.Length);
    }

    [Fact]
    public void HaproxyLayout_should_refuse_a_directory_whose_master_socket_exceeds_107_bytes()
    {
        var directory = DirectoryWithMasterSocketOf(108);

        var act = () => HaproxyLayout.Under(directory);

        var error = Assert.Throws<ArgumentException>(act);
        Assert.Contains(directory, error.Message);
    }

    [Fact]
    public void HaproxyLayout_should_count_the_socket_path_in_utf8_bytes()
    {
        var directory = "/tmp/" + new string('a', 89) + "é"; // 107 characters, 108 bytes

        var act = () => HaproxyLayout.Under(directory);

        Assert.Equal(107, (directory + "/master.sock").Length);
        Assert.Throws<ArgumentException>(act);
    }

    [Fact]
    public void HaproxyLayout_should_put_every_file_under_its_directory()
    {
        var layout = HaproxyLayout.Under("/var/lib/gw/../gw");

        var paths = (layout.Directory, layout.ConfigPath, layout.HostPathMap, layout.PathMap, layout.RuntimeSocket,
            layout.MasterSocket, layout.PidFile, layout.ServerStateFile);

        Assert.Equal(("/var/lib/gw", "/var/lib/gw/haproxy.cfg", "/var/lib/gw/maps/hostpath.map", "/var/lib/gw/maps/path.map",
            "/var/lib/gw/haproxy.sock", "/var/lib/gw/master.sock", "/var/lib/gw/haproxy.pid", "/var/lib/gw/server-state"), paths);
    }

    [Fact]
    public void HaproxyLayout_should_create_empty_maps_and_an_empty_server_state_file()
    {
        using var dir = new ScratchHaproxyDir();
        var layout = HaproxyLayout.Under(Path.Combine(dir.Directory, "fresh"));

        layout.EnsureCreated();

        Assert.Equal("", File.ReadAllText(layout.HostPathMap));
        Assert.Equal("", File.ReadAllText(layout.PathMap));
        Assert.Equal("1\n", File.ReadAllText(layout.ServerStateFile));
    }

    [Fact]
    public void HaproxyLayout_should_keep_existing_files_when_created_again()
    {
        using var dir = new ScratchHaproxyDir();
        File.WriteAllText(dir.Layout.PathMap, "/ web\n");
        File.WriteAllText(dir.Layout.ServerStateFile, "1\n# be_id\n");

        dir.Layout.EnsureCreated();

        Assert.Equal("/ web\n", File.ReadAllText(dir.Layout.PathMap));
        Assert.Equal("1\n# be_id\n", File.ReadAllText(dir.Layout.ServerStateFile));
    }
}
