using Gateway.Shared.Model;

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
    /// Which requests may share an idle connection to a server, for backends that do not say
    /// (<c>http-reuse</c> in <c>defaults</c>; HAProxy's default, <see cref="HttpReuse.Safe"/>, renders
    /// nothing). See <see cref="HttpReuse"/>.
    /// </summary>
    public HttpReuse HttpReuse { get; init; } = HttpReuse.Safe;
}
