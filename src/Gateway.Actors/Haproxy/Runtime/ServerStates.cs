using System.Globalization;
using Gateway.Shared.Model;

namespace Gateway.Actors.Haproxy.Runtime;

/// <summary>One line of <c>show servers state</c>: what HAProxy is serving for one server right now.</summary>
public sealed record LiveServer(
    string Backend, string Server, string Address, int Port, int OperationalState, int AdminState, int Weight, int InitialWeight)
{
    /// <summary>srv_admin_state bits: forced maint, inherited maint, config maint ("disabled"), forced drain…</summary>
    public const int ForcedMaint = 0x01, ConfigMaint = 0x04, ForcedDrain = 0x08;

    public bool IsRunning => OperationalState == 2;

    /// <summary>The admin state in Gateway's terms (maint wins over drain).</summary>
    public ServerAdminState State =>
        (AdminState & (ForcedMaint | ConfigMaint | 0x02 | 0x20 | 0x40)) != 0 ? ServerAdminState.Maint
        : (AdminState & (ForcedDrain | 0x10)) != 0 ? ServerAdminState.Drain
        : ServerAdminState.Ready;
}

/// <summary>Parses <c>show servers state</c> (format version 1), by header names rather than fixed positions.</summary>
public static class ServerStates
{
    public static IReadOnlyList<LiveServer> Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines.FirstOrDefault(l => l.StartsWith("# be_id", StringComparison.Ordinal));
        if (header is null)
            return [];
        var columns = header[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
        int Col(string name) => columns.TryGetValue(name, out var i) ? i : throw new FormatException($"show servers state lacks column {name}");
        var (be, srv, addr, op, admin, uw, iw, port) = (Col("be_name"), Col("srv_name"), Col("srv_addr"), Col("srv_op_state"),
            Col("srv_admin_state"), Col("srv_uweight"), Col("srv_iweight"), Col("srv_port"));

        var servers = new List<LiveServer>();
        foreach (var line in lines)
        {
            if (line.StartsWith('#') || !char.IsAsciiDigit(line[0]) || line.IndexOf(' ') < 0)
                continue;
            var f = line.Split(' ');
            if (f.Length < columns.Count)
                continue;
            servers.Add(new LiveServer(f[be], f[srv], f[addr], Int(f[port]), Int(f[op]), Int(f[admin]), Int(f[uw]), Int(f[iw])));
        }
        return servers;
    }

    private static int Int(string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
