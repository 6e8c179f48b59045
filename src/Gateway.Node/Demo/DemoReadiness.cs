namespace Gateway.Node.Demo;

/// <summary>
/// Whether the demo is served yet: /readyz waits for it, so "ready" means the curl lines the demo
/// prints work (it answered 200 about 1.5 s before the demo was served).
/// </summary>
public sealed class DemoReadiness(bool demo)
{
    private volatile string? _waitingFor = demo ? "its backends to be registered" : null;

    /// <summary>What the demo waits for; null when it is served or off.</summary>
    public string? WaitingFor => _waitingFor;

    public void Waiting(string? what) => _waitingFor = what;
}
