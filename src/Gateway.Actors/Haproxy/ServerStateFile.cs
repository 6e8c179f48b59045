using System.Globalization;
using System.Text;
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
        var header = lines.FirstOrDefault(l => l.StartsWith("# be_id", StringComparison.Ordinal));
        var output = new StringBuilder("1\n");
        if (header is null)
            return output.ToString();
        output.Append(header).Append('\n');

        var columns = header[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
        var (be, srv, addr, admin, uw, iw, port) = (columns["be_name"], columns["srv_name"], columns["srv_addr"],
            columns["srv_admin_state"], columns["srv_uweight"], columns["srv_iweight"], columns["srv_port"]);

        foreach (var line in lines)
        {
            if (line.StartsWith('#') || line.IndexOf(' ') < 0)
                continue;
            var f = line.Split(' ');
            if (f.Length < columns.Count || !servers.TryGetValue((f[be], f[srv]), out var want))
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
