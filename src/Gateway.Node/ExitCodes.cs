using Akka.Actor;

namespace Gateway.Node;

/// <summary>How the node ends: 0 when asked to stop, non-zero when it stopped on its own so that its supervisor starts it again.</summary>
internal static class ExitCodes
{
    /// <summary>The configuration is wrong; each problem was logged with its key.</summary>
    public const int Configuration = 2;

    /// <summary>The cluster removed this node; started again, it rejoins.</summary>
    public const int Downed = 3;

    /// <summary>The actor system stopped on its own for another reason (a failed TLS handshake, a join that never succeeded).</summary>
    public const int StoppedItself = 4;

    /// <summary>The exit code after the actor system's coordinated shutdown ran for <paramref name="reason"/>, and why, when it is not a requested stop.</summary>
    public static (int Code, string? Why) After(CoordinatedShutdown.Reason? reason) => reason switch
    {
        null or CoordinatedShutdown.ClrExitReason or CoordinatedShutdown.ActorSystemTerminateReason or CoordinatedShutdown.ClusterLeavingReason
            or CoordinatedShutdown.UnknownReason => (0, null),
        CoordinatedShutdown.ClusterDowningReason => (Downed,
            "This node was removed from the cluster (downed: the others found it unreachable, or an operator did); its HAProxy serves the last state"),
        _ => (StoppedItself, $"The actor system stopped itself ({reason.GetType().Name}); its HAProxy serves the last state"),
    };
}
