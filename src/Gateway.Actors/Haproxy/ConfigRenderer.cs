using System.Text;
using Gateway.Shared.Model;
using Gateway.Shared.Serialization;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// Renders <c>haproxy.cfg</c> and the route maps from the desired state. Pure and deterministic:
/// backends are ordered by name, servers keep their given order, so the same input gives the same
/// bytes and the hash tells whether anything changed. Every value it writes has been validated
/// (<see cref="Gateway.Shared.Validation"/>); the renderer adds no quoting of its own.
/// </summary>
public static class ConfigRenderer
{
    /// <summary>Requests that match no route and have no default backend end here: 503. Not a user name (see <see cref="RouteMaps.MissingBackend"/>).</summary>
    public const string UnroutedBackend = "_unrouted";

    /// <summary>The configuration for <paramref name="backends"/> and <paramref name="routes"/>, looking requests up only as those routes need.</summary>
    public static RenderedConfig Render(
        GatewayConfig frontend, HaproxyOptions options, HaproxyLayout layout,
        IEnumerable<Backend> backends, IEnumerable<Route> routes)
    {
        var list = backends as IReadOnlyCollection<Backend> ?? backends.ToList();
        var routeList = routes as IReadOnlyCollection<Route> ?? routes.ToList();
        var maps = RouteMaps.Build(routeList, list.Select(b => b.Name).ToHashSet(StringComparer.Ordinal));
        return Render(frontend, options, layout, list, maps, RouteLookup.Of(routeList));
    }

    /// <summary>
    /// The configuration with the given map contents and frontend lookup: what HAProxy serves
    /// between reloads, when the maps changed at runtime while a change of lookup waits for its reload.
    /// </summary>
    public static RenderedConfig Render(
        GatewayConfig frontend, HaproxyOptions options, HaproxyLayout layout,
        IEnumerable<Backend> backends, RouteMapsContent maps, RouteLookup lookup)
    {
        var ordered = backends.OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
        var names = ordered.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);

        var cfg = new StringBuilder(4096 + ordered.Count * 256);
        cfg.Append("# Written by Gateway from its desired state. Do not edit: the next change rewrites it.\n");
        Global(cfg, options, layout);
        Defaults(cfg, options);
        Frontend(cfg, frontend, layout, names, lookup);
        foreach (var backend in ordered)
            Backend(cfg, backend);
        cfg.Append('\n').Append("backend ").Append(UnroutedBackend).Append('\n')
           .Append("    http-request return status 503 content-type text/plain string \"no route\"\n");
        cfg.Append('\n').Append("backend ").Append(RouteMaps.MissingBackend).Append('\n')
           .Append("    http-request return status 503 content-type text/plain string \"the backend of this route does not exist\"\n");

        return new RenderedConfig(cfg.ToString(), RouteMaps.Format(maps.HostPath), RouteMaps.Format(maps.Path));
    }

    private static void Global(StringBuilder cfg, HaproxyOptions options, HaproxyLayout layout)
    {
        cfg.Append("\nglobal\n")
           .Append("    master-worker\n")
           // HAProxy binds with SO_REUSEPORT by default, so a second HAProxy (another node, a stray
           // instance) on the same port shared its connections silently. Without it, a port already
           // taken fails the start or the reload, saying so. Reloads do not need it: the master hands
           // the listeners to the new worker (20 reloads under wrk: 0 errors).
           .Append("    noreuseport\n")
           .Append("    stats socket ").Append(layout.RuntimeSocket).Append(" mode 600 level admin\n")
           .Append("    stats timeout 10m\n")
           .Append("    server-state-file ").Append(layout.ServerStateFile).Append('\n')
           .Append("    hard-stop-after ").Append(Duration.Format(options.HardStopAfter)).Append('\n')
           .Append("    close-spread-time ").Append(Duration.Format(options.CloseSpreadTime)).Append('\n')
           .Append("    ssl-default-bind-options ssl-min-ver TLSv1.2\n");
    }

    private static void Defaults(StringBuilder cfg, HaproxyOptions options)
    {
        cfg.Append("\ndefaults\n")
           .Append("    mode http\n")
           .Append("    option http-keep-alive\n")
           // Lets an old worker close idle keep-alive connections right after a response during a
           // reload instead of racing the client's next request.
           .Append("    option idle-close-on-response\n")
           .Append("    option redispatch\n")
           .Append("    retries 3\n")
           .Append("    timeout connect ").Append(Duration.Format(options.ConnectTimeout)).Append('\n')
           .Append("    timeout client ").Append(Duration.Format(options.ClientTimeout)).Append('\n')
           .Append("    timeout server ").Append(Duration.Format(options.ServerTimeout)).Append('\n')
           .Append("    timeout http-request 10s\n")
           .Append("    timeout http-keep-alive 10s\n")
           .Append("    timeout queue 30s\n")
           .Append("    load-server-state-from-file global\n");
        if (options.HttpReuse != HttpReuse.Safe)
            cfg.Append("    http-reuse ").Append(HttpReuseKeyword(options.HttpReuse)).Append('\n');
    }

    private static void Frontend(StringBuilder cfg, GatewayConfig fe, HaproxyLayout layout, IReadOnlySet<string> backends, RouteLookup lookup)
    {
        cfg.Append("\nfrontend ").Append(fe.FrontendName).Append('\n');
        // A plain bind without "proto h2" serves HTTP/1.1 and h2c prior knowledge (preface detection).
        var plain = fe.EnableHttp2 ? "" : " proto h1";
        var tls = $" ssl crt {fe.SslCertDir} alpn {fe.EffectiveAlpn}{(fe.StrictSni ? " strict-sni" : "")}";
        if (fe.IPv4BindAddr.Length > 0)
            cfg.Append("    bind ").Append(fe.IPv4BindAddr).Append(':').Append(fe.HttpPort).Append(plain).Append('\n');
        if (fe.IPv6BindAddr.Length > 0)
            cfg.Append("    bind [").Append(fe.IPv6BindAddr).Append("]:").Append(fe.HttpPort).Append(" v6only").Append(plain).Append('\n');
        if (fe.HttpsEnabled)
        {
            if (fe.IPv4BindAddr.Length > 0)
                cfg.Append("    bind ").Append(fe.IPv4BindAddr).Append(':').Append(fe.HttpsPort).Append(tls).Append('\n');
            if (fe.IPv6BindAddr.Length > 0)
                cfg.Append("    bind [").Append(fe.IPv6BindAddr).Append("]:").Append(fe.HttpsPort).Append(" v6only").Append(tls).Append('\n');
        }
        cfg.Append("    mode http\n");
        if (fe.ForwardedHeaders)
            ForwardedHeaders(cfg, fe.HttpsEnabled);
        var fallback = lookup.CatchAll is { } catchAll
            ? backends.Contains(catchAll) ? catchAll : RouteMaps.MissingBackend
            : backends.Contains(fe.DefaultBackend) ? fe.DefaultBackend : UnroutedBackend;
        RouteRules(cfg, layout, lookup, fallback);
        cfg.Append("    default_backend ").Append(fallback).Append('\n');
    }

    /// <summary>X-Forwarded-For, and X-Forwarded-Proto replacing what the client sent; the TLS test only where a TLS bind exists.</summary>
    private static void ForwardedHeaders(StringBuilder cfg, bool https)
    {
        cfg.Append("    option forwardfor\n");
        if (https)
            cfg.Append("    http-request set-header X-Forwarded-Proto https if { ssl_fc }\n")
               .Append("    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }\n");
        else
            cfg.Append("    http-request set-header X-Forwarded-Proto http\n");
    }

    /// <summary>
    /// Route lookup, only as the routes need it (see <see cref="RouteLookup"/>): exact host (+ path),
    /// then wildcard host (first label replaced by '*') (+ path), then path alone; within a map the
    /// longest matching key wins (see <see cref="RouteMaps"/>). The Host header loses its port;
    /// route hosts are DNS names, so an IPv6 literal ("[::1]:80") matches no host route and goes
    /// on to the path lookup. A lookup with nothing after it answers the fallback itself: one
    /// fetch, no variable. Without path routes below a host, a host lookup is one exact match of
    /// "host/" and takes no path.
    /// </summary>
    private static void RouteRules(StringBuilder cfg, HaproxyLayout layout, RouteLookup lookup, string fallback)
    {
        const string Host = "req.hdr(host),lower,field(1,:)";
        const string Wildcard = Host + ",regsub(^[^.]*,*)";
        var hostKey = lookup.HostPaths
            ? $",concat(,txn.gw_path,),map_beg({layout.HostPathMap}"
            : $",concat(/),map_str({layout.HostPathMap}";
        if (lookup.HostPaths)
            cfg.Append("    http-request set-var(txn.gw_path) path,concat(/)\n");
        if (lookup.AnyHost && !(lookup.Hosts && lookup.Wildcards) && !lookup.Paths)
        {
            cfg.Append("    use_backend %[").Append(lookup.Hosts ? Host : Wildcard).Append(hostKey).Append(',').Append(fallback).Append(")]\n");
            return;
        }
        if (lookup.Hosts)
            cfg.Append("    http-request set-var(txn.gw_backend) ").Append(Host).Append(hostKey).Append(")\n");
        if (lookup.Wildcards)
            cfg.Append("    http-request set-var(txn.gw_backend) ").Append(Wildcard).Append(hostKey).Append(')')
               .Append(lookup.Hosts ? " if !{ var(txn.gw_backend) -m found }" : "").Append('\n');
        if (lookup.AnyHost)
            cfg.Append("    use_backend %[var(txn.gw_backend)] if { var(txn.gw_backend) -m found }\n");
        if (lookup.Paths)
            cfg.Append("    use_backend %[").Append(lookup.HostPaths ? "var(txn.gw_path)" : "path,concat(/)")
               .Append(",map_beg(").Append(layout.PathMap).Append(',').Append(fallback).Append(")]\n");
    }

    private static void Backend(StringBuilder cfg, Backend backend)
    {
        cfg.Append("\nbackend ").Append(backend.Name).Append('\n')
           .Append("    mode http\n")
           .Append("    balance ").Append(BalanceKeyword(backend.Balance)).Append('\n');
        if (backend.Balance == BalanceAlgorithm.Source)
            cfg.Append("    hash-type consistent\n");
        // said whenever the backend says it, safe included: the node's default may be another
        if (backend.HttpReuse is { } reuse)
            cfg.Append("    http-reuse ").Append(HttpReuseKeyword(reuse)).Append('\n');
        var check = backend.EffectiveHealthCheck;
        if (check.Enabled && check.Path is { } checkPath)
            cfg.Append("    option httpchk GET ").Append(checkPath).Append('\n');
        if (backend.Protocol == ServerProtocol.H2c && !backend.KeepClientScheme)
            // HAProxy 2.6 sends :scheme https to an h2 server unless the request carries a scheme
            // (origin-form HTTP/1.1 requests do not; h2 clients behind TLS say https). Strict
            // HTTP/2 servers refuse https on a cleartext connection, so name the hop's scheme.
            // Requests that already say http (h2c clients, absolute-form HTTP/1.1) skip the rewrite.
            cfg.Append("    http-request set-uri http://%[req.hdr(host)]%[pathq] if !{ url_beg http:// } { req.hdr(host) -m found }\n");
        foreach (var server in backend.Servers)
        {
            cfg.Append("    server ").Append(server.Name).Append(' ').Append(ServerKeywords.Address(server));
            var keywords = ServerKeywords.For(backend, server);
            if (keywords.Length > 0)
                cfg.Append(' ').Append(keywords);
            if (server.State == ServerAdminState.Maint)
                cfg.Append(" disabled");
            cfg.Append('\n');
        }
    }

    private static string HttpReuseKeyword(HttpReuse reuse) => reuse switch
    {
        HttpReuse.Never => "never",
        HttpReuse.Safe => "safe",
        HttpReuse.Aggressive => "aggressive",
        HttpReuse.Always => "always",
        _ => throw new ArgumentOutOfRangeException(nameof(reuse), reuse, "not an http-reuse strategy"),
    };

    public static string BalanceKeyword(BalanceAlgorithm balance) => balance switch
    {
        BalanceAlgorithm.RoundRobin => "roundrobin",
        BalanceAlgorithm.LeastConn => "leastconn",
        BalanceAlgorithm.First => "first",
        BalanceAlgorithm.Random => "random",
        BalanceAlgorithm.Source => "source",
        _ => throw new ArgumentOutOfRangeException(nameof(balance), balance, "unknown balance algorithm"),
    };
}
