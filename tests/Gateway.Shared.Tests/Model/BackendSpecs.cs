using Gateway.Shared.Model;

namespace Gateway.Shared.Tests.Model;

/// <summary>Backend compares by value, server lists included, so "did it change?" is a plain equality.</summary>
public class BackendSpecs
{
    [Fact]
    public void Backend_should_equal_a_separately_built_backend_with_the_same_values()
    {
        var first = Samples.FullyConfigured();
        var second = Samples.FullyConfigured();

        Assert.NotSame(first.Servers, second.Servers);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void Backend_should_differ_when_a_server_differs()
    {
        var backend = Samples.Backend("api", Samples.Server("srv1"), Samples.Server("srv2", "10.0.1.11"));

        var otherPort = backend with { Servers = [Samples.Server("srv1"), Samples.Server("srv2", "10.0.1.11", 9090)] };
        var otherWeight = backend with { Servers = [Samples.Server("srv1"), Samples.Server("srv2", "10.0.1.11") with { Weight = 2 }] };
        var reordered = backend with { Servers = [Samples.Server("srv2", "10.0.1.11"), Samples.Server("srv1")] };
        var fewer = backend with { Servers = [Samples.Server("srv1")] };

        Assert.NotEqual(backend, otherPort);
        Assert.NotEqual(backend, otherWeight);
        Assert.NotEqual(backend, reordered);
        Assert.NotEqual(backend, fewer);
    }

    [Fact]
    public void Backend_should_differ_when_any_option_differs()
    {
        var backend = Samples.FullyConfigured();

        Assert.NotEqual(backend, backend with { Name = "other" });
        Assert.NotEqual(backend, backend with { Balance = BalanceAlgorithm.LeastConn });
        Assert.NotEqual(backend, backend with { Protocol = ServerProtocol.H2c });
        Assert.NotEqual(backend, backend with { KeepClientScheme = false });
        Assert.NotEqual(backend, backend with { HttpReuse = null });
        Assert.NotEqual(backend, backend with { HttpReuse = HttpReuse.Safe });
        Assert.NotEqual(backend, backend with { HealthCheck = backend.HealthCheck! with { Path = "/other" } });
        Assert.NotEqual(backend, backend with { Tls = backend.Tls! with { Verify = true } });
        Assert.NotEqual(backend, backend with { Tls = null });
    }

    [Fact]
    public void Backend_should_equal_one_with_the_default_health_check_spelled_out()
    {
        var implicitCheck = Samples.Backend();

        var explicitCheck = implicitCheck with { HealthCheck = new HealthCheck { Enabled = true, Interval = TimeSpan.FromSeconds(2) } };

        Assert.Equal(implicitCheck, explicitCheck);
    }

    [Fact]
    public void Backend_should_not_equal_null()
    {
        var backend = Samples.Backend();

        Assert.False(backend.Equals(null));
        Assert.False(backend == null);
    }

    [Fact]
    public void Backend_should_find_a_server_by_exact_name()
    {
        var backend = Samples.Backend("api", Samples.Server("srv1"), Samples.Server("srv2", "10.0.1.11"));

        Assert.Equal("10.0.1.11", backend.FindServer("srv2")?.IP);
        Assert.Null(backend.FindServer("SRV2"));
        Assert.Null(backend.FindServer("srv3"));
    }
}
