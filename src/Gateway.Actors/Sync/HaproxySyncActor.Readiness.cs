using Gateway.Actors.Health;

namespace Gateway.Actors.Sync;

/// <summary>What the sync still waits for before HAProxy serves the recovered state (for /readyz).</summary>
public sealed partial class HaproxySyncActor
{
    private StartupStatus StartupStatus() => new("haproxy", _ready ? null
        : !_recovered ? "the desired state, before HAProxy is brought up on it"
        : !_running ? $"HAProxy to come up on the recovered state{(_lastError is null ? "" : $" (last error: {_lastError})")}"
        : "the first reconcile with what HAProxy serves");
}
