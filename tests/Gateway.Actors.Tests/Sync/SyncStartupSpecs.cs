using Gateway.Actors.Sync;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>
/// An adopted HAProxy is reloaded at startup only when its configuration differs in more than
/// server lines: those the first reconcile repairs at runtime.
/// </summary>
public class SyncStartupSpecs
{
    [Fact]
    public void StructureDiffers_should_be_false_when_only_server_addresses_differ()
    {
        var before = Render(Backend("api", Server("s1", "10.0.0.1")));
        var after = Render(Backend("api", Server("s1", "10.0.0.2", 9000, weight: 3)));

        Assert.NotEqual(before.Config, after.Config);
        Assert.False(SyncStartup.StructureDiffers(before.Config, after.Config));
    }

    [Fact]
    public void StructureDiffers_should_be_false_when_servers_were_added_or_removed()
    {
        var before = Render(Backend("api", Server("s1", "10.0.0.1")));
        var after = Render(Backend("api", Server("s2", "10.0.0.2"), Server("s3", "10.0.0.3")));

        Assert.False(SyncStartup.StructureDiffers(before.Config, after.Config));
    }

    [Fact]
    public void StructureDiffers_should_be_true_when_a_backend_setting_changed()
    {
        var before = Render(Backend("api"));
        var after = Render(Backend("api") with { Balance = BalanceAlgorithm.LeastConn });

        Assert.True(SyncStartup.StructureDiffers(before.Config, after.Config));
    }

    [Fact]
    public void StructureDiffers_should_be_true_when_a_backend_was_added()
    {
        var before = Render(Backend("api"));
        var after = Render(Backend("api"), Backend("web"));

        Assert.True(SyncStartup.StructureDiffers(before.Config, after.Config));
    }

    [Fact]
    public void StructureDiffers_should_be_false_for_the_same_configuration()
    {
        var config = Render(Backend("api"), Backend("web")).Config;

        Assert.False(SyncStartup.StructureDiffers(config, config));
    }
}
