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

/// <summary>A server's connections: carrying a request now, and idle in its pool.</summary>
public readonly record struct ServerConnections(int Used, int Idle)
{
    public bool Any => Used > 0 || Idle > 0;
}

/// <summary>Parses <c>show servers state</c> (format version 1), by header names rather than fixed positions.</summary>
public static class ServerStates
{
    public static IReadOnlyList<LiveServer> Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (Columns(lines, out _) is not { } columns)
            return [];
        var (be, srv, addr, op, admin, uw, iw, port) = (columns.Of("be_name"), columns.Of("srv_name"), columns.Of("srv_addr"),
            columns.Of("srv_op_state"), columns.Of("srv_admin_state"), columns.Of("srv_uweight"), columns.Of("srv_iweight"), columns.Of("srv_port"));

        var servers = new List<LiveServer>();
        foreach (var fields in Rows(lines, columns))
            servers.Add(new LiveServer(fields[be], fields[srv], fields[addr], Int(fields[port]), Int(fields[op]), Int(fields[admin]), Int(fields[uw]), Int(fields[iw])));
        return servers;
    }

    /// <summary>
    /// From <c>show servers conn</c> ("# bkname/svname bkid/svid addr port - purge_delay used_cur …
    /// idle_cur …"): each listed server's connections carrying a request right now and those idle in
    /// its pool; none without the header (an error reply).
    /// </summary>
    public static Dictionary<ServerRef, ServerConnections> Connections(string text)
    {
        var servers = new Dictionary<ServerRef, ServerConnections>();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines.FirstOrDefault(l => l.StartsWith("# bkname/svname ", StringComparison.Ordinal))?[2..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (used, idle) = header is null ? (-1, -1) : (Array.IndexOf(header, "used_cur"), Array.IndexOf(header, "idle_cur"));
        if (used < 0 || idle < 0)
            return servers;
        foreach (var line in lines)
        {
            if (line.StartsWith('#'))
                continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var slash = fields.Length > Math.Max(used, idle) ? fields[0].IndexOf('/', StringComparison.Ordinal) : -1;
            if (slash > 0)
                servers[new ServerRef(fields[0][..slash], fields[0][(slash + 1)..])] = new ServerConnections(Int(fields[used]), Int(fields[idle]));
        }
        return servers;
    }

    /// <summary>The column positions named by the "# be_id be_name …" header, or null without one.</summary>
    internal static HeaderColumns? Columns(string[] lines, out string? header)
    {
        header = lines.FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal) && l.Contains(" be_name ", StringComparison.Ordinal));
        return header is null
            ? null
            : new HeaderColumns(header[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index));
    }

    /// <summary>The data lines split into fields: not the version line, not comments, not short lines.</summary>
    internal static IEnumerable<string[]> Rows(string[] lines, HeaderColumns columns)
    {
        foreach (var line in lines)
        {
            if (line.StartsWith('#') || line.IndexOf(' ') < 0)
                continue;
            var fields = line.Split(' ');
            if (fields.Length >= columns.Count)
                yield return fields;
        }
    }

    /// <summary>Column name → position in a <c>show servers state</c> line.</summary>
    internal sealed class HeaderColumns(Dictionary<string, int> byName)
    {
        public int Count => byName.Count;

        public int Of(string name) =>
            byName.TryGetValue(name, out var index) ? index : throw new FormatException($"show servers state lacks column {name}");
    }

    private static int Int(string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
