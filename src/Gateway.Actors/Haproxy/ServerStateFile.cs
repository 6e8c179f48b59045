using System.Globalization;
using System.Text;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// Writes the <c>server-state-file</c> HAProxy loads when it starts or reloads, so health and admin
/// state survive it. HAProxy 2.6 restores a server's port, weight and admin state from that file
/// even when the new config says otherwise (measured: the config's address with the file's port),
/// so the live state is not dumped as is: each line is rewritten to the desired address, port,
/// weight and admin state, and servers or backends that are going away are dropped. A server in
/// drain that HAProxy has no line for (added at runtime since the last reload, or coming with a
/// reload) gets one written: <c>haproxy.cfg</c> has no keyword for drain, so without it the server
/// would start ready. It runs on every config write (a file with 40,000 servers), so lines are
/// read as spans and a line that already holds the desired values is copied as it is.
/// </summary>
public static class ServerStateFile
{
    private const int MaxFields = 64;

    /// <summary>The columns of HAProxy 2.6's state file (version 1), in its order; drain lines are written in it.</summary>
    public const string Version1Header =
        "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change "
        + "srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn "
        + "srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port";

    public static string Merge(string liveState, IEnumerable<Backend> desired)
    {
        // Keyed "backend/server" (names hold no '/'), looked up from a span of the line: no string per line.
        var byName = new Dictionary<string, BackendServer>(StringComparer.Ordinal);
        var drainWithoutLine = new Dictionary<string, (Backend Backend, BackendServer Server)>(StringComparer.Ordinal);
        foreach (var backend in desired)
            foreach (var server in backend.Servers)
            {
                var name = $"{backend.Name}/{server.Name}";
                byName[name] = server;
                if (server.State == ServerAdminState.Drain)
                    drainWithoutLine[name] = (backend, server);
            }
        var servers = byName.GetAlternateLookup<ReadOnlySpan<char>>();
        var drains = drainWithoutLine.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> key = stackalloc char[2 * Gateway.Shared.Validation.Rules.MaxNameLength + 1];

        var output = new StringBuilder(liveState.Length + 16).Append("1\n");
        var header = Header(liveState);
        if (header is null && drainWithoutLine.Count > 0)
            header = Version1Header;
        if (header is null)
            return output.ToString();
        output.Append(header).Append('\n');
        var columns = new ServerStates.HeaderColumns(header[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index));
        var (be, srv, addr, admin, uw, iw, port) = (columns.Of("be_name"), columns.Of("srv_name"), columns.Of("srv_addr"),
            columns.Of("srv_admin_state"), columns.Of("srv_uweight"), columns.Of("srv_iweight"), columns.Of("srv_port"));

        Span<Range> fields = stackalloc Range[MaxFields];
        foreach (var raw in liveState.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '#' || line.IndexOf(' ') < 0)
                continue;
            var count = line.Split(fields, ' ');
            if (count < columns.Count || count == MaxFields)
                continue;
            var backendName = line[fields[be]];
            var serverName = line[fields[srv]];
            if (backendName.Length + 1 + serverName.Length > key.Length)
                continue; // longer than any name Gateway accepts
            backendName.CopyTo(key);
            key[backendName.Length] = '/';
            serverName.CopyTo(key[(backendName.Length + 1)..]);
            var serverKey = key[..(backendName.Length + 1 + serverName.Length)];
            if (!servers.TryGetValue(serverKey, out var server))
                continue;
            if (drainWithoutLine.Count > 0)
                drains.Remove(serverKey);
            var wanted = new Wanted(server.IP, I(server.Port), I(server.EffectiveWeight), AdminBits(server.State));
            if (line[fields[addr]].SequenceEqual(wanted.Address) && line[fields[port]].SequenceEqual(wanted.Port)
                && line[fields[uw]].SequenceEqual(wanted.Weight) && line[fields[iw]].SequenceEqual(wanted.Weight)
                && line[fields[admin]].SequenceEqual(wanted.Admin))
            {
                output.Append(line).Append('\n');
                continue;
            }
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                    output.Append(' ');
                if (i == addr)
                    output.Append(wanted.Address);
                else if (i == port)
                    output.Append(wanted.Port);
                else if (i == uw || i == iw)
                    output.Append(wanted.Weight);
                else if (i == admin)
                    output.Append(wanted.Admin);
                else
                    output.Append(line[fields[i]]);
            }
            output.Append('\n');
        }
        if (header == Version1Header)
            foreach (var (backend, server) in drainWithoutLine.Values)
                AppendDrainLine(output, backend, server);
        return output.ToString();
    }

    /// <summary>
    /// A version 1 line for a server HAProxy has not seen: running, forced drain, no check or agent
    /// observations. The ids are 0: HAProxy matches the global file's lines by names.
    /// </summary>
    private static void AppendDrainLine(StringBuilder output, Backend backend, BackendServer server)
    {
        var weight = I(server.EffectiveWeight);
        output.Append("0 ").Append(backend.Name).Append(" 0 ").Append(server.Name).Append(' ').Append(server.IP)
            .Append(" 2 ").Append(AdminBits(ServerAdminState.Drain)).Append(' ').Append(weight).Append(' ').Append(weight)
            .Append(" 0 1 0 0 0 0 0 0 - ").Append(I(server.Port))
            .Append(" - ").Append(ServerKeywords.UsesTls(backend) ? '1' : '0').Append(" 0 - - 0\n");
    }

    private readonly record struct Wanted(string Address, string Port, string Weight, string Admin);

    /// <summary>The "# be_id be_name …" line, or null without one.</summary>
    private static string? Header(string text)
    {
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.StartsWith("# ") && line.Contains(" be_name ", StringComparison.Ordinal))
                return line.ToString();
        }
        return null;
    }

    private static string AdminBits(ServerAdminState state) => state switch
    {
        ServerAdminState.Maint => "4",  // config maint: the server line says "disabled"
        ServerAdminState.Drain => "8",  // forced drain
        _ => "0",
    };

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
