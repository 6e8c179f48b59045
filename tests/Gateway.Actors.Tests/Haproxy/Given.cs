using Gateway.Actors.Haproxy;
using Gateway.Shared.Model;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>Small builders for the HAProxy specs, and a way to read one section of a rendered config.</summary>
internal static class Given
{
    /// <summary>A layout that is never created on disk: pure rendering only needs its paths.</summary>
    public static readonly HaproxyLayout Layout = HaproxyLayout.Under("/var/lib/gateway-spec");

    public static BackendServer Server(string name = "s1", string ip = "10.0.0.1", int port = 8080,
        int? weight = null, ServerAdminState state = ServerAdminState.Ready) =>
        new() { Name = name, IP = ip, Port = port, Weight = weight, State = state };

    public static Backend Backend(string name = "api", params BackendServer[] servers) =>
        new() { Name = name, Servers = servers.Length == 0 ? [Server()] : servers };

    public static Route Route(string host, string path, string backend) =>
        new() { Host = host, Path = path, Backend = backend };

    public static RenderedConfig Render(IEnumerable<Backend> backends, IEnumerable<Route>? routes = null,
        GatewayConfig? frontend = null, HaproxyOptions? options = null) =>
        ConfigRenderer.Render(frontend ?? new GatewayConfig(), options ?? new HaproxyOptions(), Layout, backends, routes ?? []);

    public static RenderedConfig Render(params Backend[] backends) => Render(backends, routes: null);

    /// <summary>
    /// The lines of the section that starts with <paramref name="header"/> ("global", "frontend x",
    /// "backend y"), without the header and without indentation.
    /// </summary>
    public static IReadOnlyList<string> Section(string config, string header)
    {
        var lines = config.Split('\n');
        var start = Array.IndexOf(lines, header);
        Assert.True(start >= 0, $"no section [{header}] in:\n{config}");
        return lines.Skip(start + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
    }

    /// <summary>The one line of a section that starts with <paramref name="prefix"/>.</summary>
    public static string Line(string config, string header, string prefix) =>
        Assert.Single(Section(config, header), l => l.StartsWith(prefix, StringComparison.Ordinal));
}
