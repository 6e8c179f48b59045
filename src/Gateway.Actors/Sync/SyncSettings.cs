using Gateway.Actors.Haproxy;

namespace Gateway.Actors.Sync;

/// <summary>What a node's HAProxy sync needs to know: the frontend, HAProxy's settings, its files, and the sync timings.</summary>
public sealed record SyncSettings(GatewayConfig Frontend, HaproxyOptions Haproxy, HaproxyLayout Layout)
{
    /// <summary>How often HAProxy's live state is compared with the applied state (the seed's SyncPeriod).</summary>
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reloads are coalesced: at most one per this interval; runtime changes are never held back.</summary>
    public TimeSpan MinReloadInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A reload waits until changes have paused this long, so a burst shares one reload…</summary>
    public TimeSpan ReloadQuietPeriod { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>…but never longer than this behind the first change that needs it.</summary>
    public TimeSpan MaxReloadDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>After runtime-only changes, haproxy.cfg is rewritten at most this often.</summary>
    public TimeSpan ConfigWriteInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a round waits for a moving server's requests in flight to its old address to end
    /// before it gives the server the new address anyway (see <see cref="Haproxy.Runtime.ServerMoves"/>).
    /// </summary>
    public TimeSpan MoveDrainWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Servers added at runtime to an HTTP/2 backend (<c>h2c</c>, <c>h2</c>) join the configuration by
    /// a reload this long after the first of them (<see cref="MinReloadInterval"/> still applies):
    /// HAProxy 2.6 gives a server added at runtime <c>max-reuse 0</c>, so each of its HTTP/2
    /// connections carries one stream, and refuses <c>max-reuse</c> on <c>add server</c>.
    /// </summary>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound for one sync round (HAProxy unresponsive).</summary>
    public TimeSpan RoundTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public RenderedConfig Render(IEnumerable<Gateway.Shared.Model.Backend> backends, IEnumerable<Gateway.Shared.Model.Route> routes) =>
        ConfigRenderer.Render(Frontend, Haproxy, Layout, backends, routes);

    public RenderedConfig Render(IEnumerable<Gateway.Shared.Model.Backend> backends, RouteMapsContent maps, RouteLookup lookup) =>
        ConfigRenderer.Render(Frontend, Haproxy, Layout, backends, maps, lookup);
}
