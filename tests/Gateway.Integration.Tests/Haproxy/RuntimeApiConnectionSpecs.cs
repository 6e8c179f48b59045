using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Haproxy;

/// <summary>The runtime client's one connection: when HAProxy goes away and comes back, the next batch reconnects by itself.</summary>
public sealed class RuntimeApiConnectionSpecs
{
    [Fact]
    public async Task Runtime_client_should_reconnect_when_haproxy_closed_its_connection()
    {
        await using var haproxy = await HaproxyUnderTest.StartAsync();
        var first = await haproxy.Runtime.ExecuteAsync(RuntimeCommands.ShowInfo());
        var oldMaster = haproxy.Process.MasterPid!.Value;

        Posix.Signal(oldMaster, Posix.SIGKILL);
        await Eventually.True(() => Task.FromResult(haproxy.Runtime.PeerClosed), what: "the worker closing the connection");
        await haproxy.Process.StartAsync(CancellationToken.None);
        var second = await haproxy.Runtime.ExecuteAsync(RuntimeCommands.ShowInfo());

        Assert.True(first.Ok && second.Ok, second.Output);
        Assert.Contains("Name: HAProxy", second.Output);
        Assert.Equal(2, haproxy.Runtime.Connects);
    }
}
