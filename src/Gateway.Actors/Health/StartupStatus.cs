namespace Gateway.Actors.Health;

/// <summary>
/// Asks an actor on the node's start path (journal, backends, desired state, HAProxy sync) what it
/// still waits for. Replies <see cref="StartupStatus"/>. /readyz lists the answers, so a node that is
/// not ready says why.
/// </summary>
public sealed class GetStartupStatus
{
    public static readonly GetStartupStatus Instance = new();
}

/// <param name="Component">Who answers ("journal", "backends", …).</param>
/// <param name="WaitingFor">What it waits for, in words; null once it is done.</param>
public sealed record StartupStatus(string Component, string? WaitingFor)
{
    public bool Done => WaitingFor is null;
}
