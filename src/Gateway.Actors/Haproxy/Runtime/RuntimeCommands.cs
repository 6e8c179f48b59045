using System.Globalization;
using Gateway.Shared.Model;

namespace Gateway.Actors.Haproxy.Runtime;

/// <summary>
/// The runtime API commands Gateway sends. Every argument is a name, address or path that passed
/// <see cref="Gateway.Shared.Validation.Rules"/>, so none contains a space, newline or ';'.
/// </summary>
public static class RuntimeCommands
{
    public static RuntimeCommand SetAddress(string backend, string server, string ip, int port) =>
        new($"set server {backend}/{server} addr {ip} port {I(port)}", ReplyExpectation.AddressChange) { Change = ServerChange.Address };

    /// <summary>
    /// What HAProxy 2.6 gives a server of the config by default and a dynamic one not: without them
    /// it keeps no idle connection, so every request to a server added at runtime opens a
    /// connection of its own (measured: 51 requests over one keep-alive client, 51 server
    /// connections; 2 with these). Fixed upstream in 3.0 ("fix dynamic servers initial settings").
    /// </summary>
    public const string DynamicServerDefaults = "pool-max-conn -1 pool-purge-delay 5s";

    /// <summary>Adds a server with its keywords spelled out (dynamic servers inherit no default-server); it starts in maint.</summary>
    public static RuntimeCommand AddServer(Backend backend, BackendServer server)
    {
        var keywords = ServerKeywords.For(backend, server);
        return new($"add server {backend.Name}/{server.Name} {ServerKeywords.Address(server)} {(keywords.Length > 0 ? keywords + " " : "")}{DynamicServerDefaults}",
            ReplyExpectation.ServerAdded) { Change = ServerChange.Added };
    }

    public static RuntimeCommand DeleteServer(string backend, string server) =>
        new($"del server {backend}/{server}", ReplyExpectation.ServerDeleted);

    public static RuntimeCommand SetState(string backend, string server, ServerAdminState state) =>
        new($"set server {backend}/{server} state {StateKeyword(state)}", ReplyExpectation.Empty) { Change = ServerChange.State };

    public static RuntimeCommand SetWeight(string backend, string server, int weight) =>
        new($"set weight {backend}/{server} {I(weight)}", ReplyExpectation.Empty) { Change = ServerChange.Weight };

    public static RuntimeCommand EnableHealth(string backend, string server) =>
        new($"enable health {backend}/{server}", ReplyExpectation.Empty);

    public static RuntimeCommand AddMapEntry(string map, string key, string value) =>
        new($"add map {map} {key} {value}", ReplyExpectation.Empty);

    public static RuntimeCommand SetMapEntry(string map, string key, string value) =>
        new($"set map {map} {key} {value}", ReplyExpectation.Empty);

    public static RuntimeCommand DeleteMapEntry(string map, string key) =>
        new($"del map {map} {key}", ReplyExpectation.Empty);

    public static RuntimeCommand PrepareMap(string map) =>
        new($"prepare map {map}", ReplyExpectation.NewVersion);

    public static RuntimeCommand AddMapEntry(int version, string map, string key, string value) =>
        new($"add map @{I(version)} {map} {key} {value}", ReplyExpectation.Empty);

    public static RuntimeCommand CommitMap(int version, string map) =>
        new($"commit map @{I(version)} {map}", ReplyExpectation.Empty);

    public static RuntimeCommand ShowServersState(string? backend = null) =>
        new(backend is null ? "show servers state" : $"show servers state {backend}", ReplyExpectation.Output);

    /// <summary>"show servers conn": each server's connections, in use (used_cur) and idle.</summary>
    public static RuntimeCommand ShowServersConnections(string backend) => new($"show servers conn {backend}", ReplyExpectation.Output);

    /// <summary>"show servers conn" of every backend.</summary>
    public static RuntimeCommand ShowServersConnections() => new("show servers conn", ReplyExpectation.Output);

    /// <summary>"show backend": one backend name per line after a "# name" header.</summary>
    public static RuntimeCommand ShowBackends() => new("show backend", ReplyExpectation.Output);

    public static IReadOnlySet<string> ParseBackends(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);

    public static RuntimeCommand ShowInfo() => new("show info", ReplyExpectation.Output);

    public static string StateKeyword(ServerAdminState state) => state switch
    {
        ServerAdminState.Ready => "ready",
        ServerAdminState.Drain => "drain",
        ServerAdminState.Maint => "maint",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown admin state"),
    };

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
