using System.Globalization;
using System.Text;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// Writes the <c>server-state-file</c> HAProxy loads at a reload, so health and admin state
/// survive it. HAProxy 2.6 restores a server's port, weight and admin state from that file even
/// when the new config says otherwise (measured: the config's address with the file's port), so
/// the live state is not dumped as is: each line is rewritten to the desired address, port,
/// weight and admin state, and servers or backends that are going away are dropped.
/// </summary>
public static class ServerStateFile
{
    public static string Merge(string liveState, IEnumerable<Backend> desired)
    {
        var servers = new Dictionary<(string, string), (Backend Backend, BackendServer Server)>();
        foreach (var backend in desired)
            foreach (var server in backend.Servers)
                servers[(backend.Name, server.Name)] = (backend, server);

        var lines = liveState.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var output = new StringBuilder("1\n");
        if (ServerStates.Columns(lines, out var header) is not { } columns)
            return output.ToString();
        output.Append(header).Append('\n');
        var (be, srv, addr, admin, uw, iw, port) = (columns.Of("be_name"), columns.Of("srv_name"), columns.Of("srv_addr"),
            columns.Of("srv_admin_state"), columns.Of("srv_uweight"), columns.Of("srv_iweight"), columns.Of("srv_port"));

        foreach (var f in ServerStates.Rows(lines, columns))
        {
            if (!servers.TryGetValue((f[be], f[srv]), out var want))
                continue;
            f[addr] = want.Server.IP;
            f[port] = I(want.Server.Port);
            f[uw] = f[iw] = I(want.Server.EffectiveWeight);
            f[admin] = want.Server.State switch
            {
                ServerAdminState.Maint => "4",  // config maint: the server line says "disabled"
                ServerAdminState.Drain => "8",  // forced drain
                _ => "0",
            };
            output.AppendJoin(' ', f).Append('\n');
        }
        return output.ToString();
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
