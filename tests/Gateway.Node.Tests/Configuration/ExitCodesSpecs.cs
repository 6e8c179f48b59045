using Akka.Actor;

namespace Gateway.Node.Tests.Configuration;

/// <summary>A node that stopped on its own exits non-zero (its supervisor starts it again); a requested stop exits 0.</summary>
public sealed class ExitCodesSpecs
{
    [Fact]
    public void A_requested_stop_should_exit_zero()
    {
        Assert.Equal((0, null), ExitCodes.After(null));
        Assert.Equal((0, null), ExitCodes.After(CoordinatedShutdown.ClrExitReason.Instance));
        Assert.Equal((0, null), ExitCodes.After(CoordinatedShutdown.ClusterLeavingReason.Instance));
    }

    [Fact]
    public void A_downed_node_should_exit_three_and_say_why()
    {
        var (code, why) = ExitCodes.After(CoordinatedShutdown.ClusterDowningReason.Instance);

        Assert.Equal(3, code);
        Assert.StartsWith("This node was removed from the cluster", why);
    }

    [Fact]
    public void A_node_that_stopped_itself_otherwise_should_exit_non_zero() =>
        Assert.Equal(ExitCodes.StoppedItself, ExitCodes.After(CoordinatedShutdown.ClusterJoinUnsuccessfulReason.Instance).Code);
}
