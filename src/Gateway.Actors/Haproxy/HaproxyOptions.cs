namespace Gateway.Actors.Haproxy;

/// <summary>
/// How Gateway runs HAProxy (<c>Gateway:Haproxy:*</c>): the binary, whether the node starts and
/// supervises it (managed) or only drives one started by someone else, and the process-level
/// settings rendered into the <c>global</c> and <c>defaults</c> sections.
/// </summary>
public sealed record HaproxyOptions
{
    /// <summary>The haproxy executable, found on PATH unless absolute.</summary>
    public string Binary { get; init; } = "haproxy";

    /// <summary>True: the node starts HAProxy, restarts it when it dies and adopts one it left running.</summary>
    public bool Managed { get; init; } = true;

    /// <summary>Leave HAProxy serving when the node stops (managed mode stops it by default).</summary>
    public bool KeepRunning { get; init; }

    /// <summary>Upper bound for old workers to finish their requests after a reload (<c>hard-stop-after</c>).</summary>
    public TimeSpan HardStopAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an old worker spreads the closing of idle connections over after a reload (<c>close-spread-time</c>).</summary>
    public TimeSpan CloseSpreadTime { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for a reload until the new worker is confirmed.</summary>
    public TimeSpan ReloadTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Which requests may share an idle connection to a server (<c>http-reuse</c>; HAProxy's default,
    /// <see cref="Haproxy.HttpReuse.Safe"/>, renders nothing). See <see cref="Haproxy.HttpReuse"/>.
    /// </summary>
    public HttpReuse HttpReuse { get; init; } = HttpReuse.Safe;
}

/// <summary>
/// HAProxy's <c>http-reuse</c> strategies. With <see cref="Safe"/> the first request of each client
/// connection opens a server connection of its own, and an HTTP/2 server connection stays reserved
/// to one client connection while it has streams: no request of a new client can meet a server
/// connection that the server is closing at that moment. <see cref="Aggressive"/> lets a first
/// request use a server connection that has already served more than one request, so HTTP/2
/// server connections carry the streams of many clients: HAProxy served 1.16x the h2c and 1.65x the
/// HTTP/1.1 requests per core of safe, to an h2c server on loopback (data-plane bench, ablation), at
/// the price HAProxy names: a first request may fail now and then when a server closes an idle
/// connection as it is sent, and one slow client can hold back others sharing its server connection.
/// <see cref="Always"/> shares any idle connection (1.30x and 1.68x), <see cref="Never"/> none.
/// </summary>
public enum HttpReuse
{
    Never,
    Safe,
    Aggressive,
    Always,
}
