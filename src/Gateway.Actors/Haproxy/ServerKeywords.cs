using System.Globalization;
using System.Text;
using Gateway.Shared.Model;
using Gateway.Shared.Serialization;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// The keywords of one <c>server</c> line, spelled out in full. The same text goes into
/// <c>haproxy.cfg</c> and after <c>add server</c> at runtime, because dynamic servers do not
/// inherit <c>default-server</c>.
/// </summary>
public static class ServerKeywords
{
    /// <summary>"ip:port" as HAProxy reads it: IPv6 literals in brackets.</summary>
    public static string Address(BackendServer server) =>
        server.IP.Contains(':') ? $"[{server.IP}]:{Invariant(server.Port)}" : $"{server.IP}:{Invariant(server.Port)}";

    /// <summary>Keywords for <paramref name="server"/> of <paramref name="backend"/>, without its admin state.</summary>
    public static string For(Backend backend, BackendServer server)
    {
        var line = new StringBuilder(96);
        var check = backend.EffectiveHealthCheck;
        if (check.Enabled)
            line.Append(" check inter ").Append(Duration.Format(check.Interval));
        if (server.Weight is { } weight)
            line.Append(" weight ").Append(Invariant(weight));
        switch (backend.Protocol)
        {
            case ServerProtocol.H2c:
                line.Append(" proto h2");
                break;
            case ServerProtocol.H2:
                AppendTls(line, backend.Tls ?? new TlsSettings(), check.Enabled);
                break;
        }
        return line.Length == 0 ? "" : line.ToString(1, line.Length - 1);
    }

    /// <summary>Whether the backend's servers speak TLS (the <c>ssl</c> keyword).</summary>
    public static bool UsesTls(Backend backend) => backend.Protocol == ServerProtocol.H2;

    private static void AppendTls(StringBuilder line, TlsSettings tls, bool checks)
    {
        line.Append(" ssl");
        if (tls.Verify)
            line.Append(" verify required ca-file ").Append(tls.CaFile ?? "@system-ca");
        else
            line.Append(" verify none");
        if (tls.Sni is { } sni)
        {
            line.Append(" sni str(").Append(sni).Append(')');
            if (checks)
                line.Append(" check-sni ").Append(sni);
        }
        line.Append(" alpn h2,http/1.1");
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
