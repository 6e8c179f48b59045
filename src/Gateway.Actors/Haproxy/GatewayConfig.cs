using Gateway.Shared.Validation;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// The frontend settings of the seed's <c>GatewayConfig</c>, with its defaults. Bound from
/// <c>Gateway:Frontend:*</c> (keys are matched case-insensitively, so <c>HTTPPort</c> binds
/// <see cref="HttpPort"/>). An empty bind address turns that address family off.
/// </summary>
public sealed record GatewayConfig
{
    public string FrontendName { get; init; } = "http-gateway";
    public int HttpPort { get; init; } = 80;
    public int HttpsPort { get; init; } = 443;
    public bool HttpsEnabled { get; init; }
    /// <summary>A directory of PEM files (certificate + key) or one PEM file, for the TLS bind.</summary>
    public string SslCertDir { get; init; } = "/etc/haproxy/certs";
    public bool StrictSni { get; init; }
    /// <summary>
    /// Offers HTTP/2: <c>h2</c> by ALPN on the TLS port and h2c prior knowledge on the plain port.
    /// False limits both ports to HTTP/1.1.
    /// </summary>
    public bool EnableHttp2 { get; init; } = true;
    public string Alpn { get; init; } = "h2,http/1.1";
    /// <summary>Where requests that match no route go; empty answers them with 503.</summary>
    public string DefaultBackend { get; init; } = "";
    public string IPv4BindAddr { get; init; } = "0.0.0.0";
    public string IPv6BindAddr { get; init; } = "::";
    /// <summary>
    /// Tells backends the client's address and scheme: <c>X-Forwarded-For</c> (<c>option forwardfor</c>)
    /// and <c>X-Forwarded-Proto</c>, set on every request. Off where no backend reads them: the two
    /// headers are most of what Gateway's HAProxy does per request beyond a hand-written config
    /// without them (6–10% of its CPU per h2c request, measured). Off, a client's own
    /// <c>X-Forwarded-*</c> headers reach the backends as the client sent them.
    /// </summary>
    public bool ForwardedHeaders { get; init; } = true;

    /// <summary>The ALPN list actually offered: without HTTP/2, only http/1.1.</summary>
    public string EffectiveAlpn => EnableHttp2 ? Alpn : "http/1.1";

    /// <summary>Errors name the seed's keys (HTTPPort, SSLCertDir, …), as users write them in configuration.</summary>
    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new List<ValidationError>();
        void Add(string field, string? message)
        {
            if (message is not null)
                errors.Add(new ValidationError(field, message));
        }

        Add("FrontendName", Rules.Name(FrontendName));
        Add("HTTPPort", Rules.Port(HttpPort));
        if (HttpsEnabled)
        {
            Add("HTTPSPort", Rules.Port(HttpsPort));
            if (HttpsPort == HttpPort)
                Add("HTTPSPort", "must differ from HTTPPort");
            Add("SSLCertDir", Rules.FilePath(SslCertDir));
            Add("ALPN", AlpnRule(Alpn));
        }
        if (DefaultBackend.Length > 0)
            Add("DefaultBackend", Rules.Name(DefaultBackend));
        if (IPv4BindAddr.Length > 0)
            Add("IPv4BindAddr", Rules.BindAddress(IPv4BindAddr) ?? (IPv4BindAddr.Contains(':') ? "must be an IPv4 address" : null));
        if (IPv6BindAddr.Length > 0)
            Add("IPv6BindAddr", Rules.BindAddress(IPv6BindAddr) ?? (!IPv6BindAddr.Contains(':') ? "must be an IPv6 address" : null));
        if (IPv4BindAddr.Length == 0 && IPv6BindAddr.Length == 0)
            Add("IPv4BindAddr", "IPv4BindAddr and IPv6BindAddr cannot both be empty");
        return errors;
    }

    private static string? AlpnRule(string value)
    {
        var protocols = value.Split(',');
        return value.Length is > 0 and <= 100 && protocols.All(p => p is "h2" or "http/1.1" or "http/1.0")
            ? null
            : "must be a comma-separated list of h2, http/1.1, http/1.0";
    }
}
