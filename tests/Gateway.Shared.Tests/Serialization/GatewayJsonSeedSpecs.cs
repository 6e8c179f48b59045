using Gateway.Shared.Model;
using Gateway.Shared.Serialization;

namespace Gateway.Shared.Tests.Serialization;

/// <summary>The seed's REST format reads into the model unchanged and a default backend writes back the seed's fields only.</summary>
public class GatewayJsonSeedSpecs
{
    [Fact]
    public void GatewayJson_should_read_the_seed_rest_document_unchanged()
    {
        var ok = GatewayJson.TryDeserialize<BackendList>(Samples.SeedRestJson, out var list, out var error);

        Assert.True(ok);
        Assert.Null(error);
        Assert.NotNull(list);
        Assert.Equal(["api-backend", "web-backend"], list.Backends.Select(b => b.Name));
        Assert.Equal(
            [("srv1", "10.0.1.10", 8080), ("srv2", "10.0.1.11", 8080)],
            list.Backends[0].Servers.Select(s => (s.Name, s.IP, s.Port)));
        Assert.Equal([("web1", "10.0.2.10", 80)], list.Backends[1].Servers.Select(s => (s.Name, s.IP, s.Port)));
    }

    [Fact]
    public void GatewayJson_should_apply_the_seed_defaults_when_options_are_absent()
    {
        GatewayJson.TryDeserialize<BackendList>(Samples.SeedRestJson, out var list, out _);

        var backend = list!.Backends[0];
        Assert.Equal(BalanceAlgorithm.RoundRobin, backend.Balance);
        Assert.Equal(ServerProtocol.Http1, backend.Protocol);
        Assert.Null(backend.HealthCheck);
        Assert.Null(backend.Tls);
        Assert.False(backend.KeepClientScheme);
        Assert.True(backend.EffectiveHealthCheck.Enabled);
        Assert.Null(backend.EffectiveHealthCheck.Path);
        Assert.Equal(TimeSpan.FromSeconds(2), backend.EffectiveHealthCheck.Interval);
        Assert.All(list.Backends.SelectMany(b => b.Servers), server =>
        {
            Assert.Null(server.Weight);
            Assert.Equal(BackendServer.DefaultWeight, server.EffectiveWeight);
            Assert.Equal(ServerAdminState.Ready, server.State);
        });
    }

    [Fact]
    public void GatewayJson_should_ignore_unknown_fields()
    {
        const string json = """
            {"version": 3, "backends": [{"name": "api-backend", "owner": {"team": ["a", null]},
              "servers": [{"name": "srv1", "ip": "10.0.1.10", "port": 8080, "zone": "eu-1"}]}]}
            """;

        var ok = GatewayJson.TryDeserialize<BackendList>(json, out var list, out var error);

        Assert.True(ok, error?.ToString());
        Assert.Equal(Samples.Backend("api-backend", Samples.Server("srv1", "10.0.1.10", 8080)), Assert.Single(list!.Backends));
    }

    [Fact]
    public void GatewayJson_should_write_only_the_seed_fields_when_a_backend_has_defaults()
    {
        var list = new BackendList
        {
            Backends = [Samples.Backend("api-backend", Samples.Server("srv1", "10.0.1.10", 8080), Samples.Server("srv2", "10.0.1.11", 8080))],
        };

        var json = GatewayJson.Serialize(list);

        Assert.Equal(
            """{"backends":[{"name":"api-backend","servers":[{"name":"srv1","ip":"10.0.1.10","port":8080},{"name":"srv2","ip":"10.0.1.11","port":8080}]}]}""",
            json);
    }

    [Fact]
    public void GatewayJson_should_read_back_what_it_wrote_for_the_seed_document()
    {
        GatewayJson.TryDeserialize<BackendList>(Samples.SeedRestJson, out var original, out _);

        var ok = GatewayJson.TryDeserialize<BackendList>(GatewayJson.Serialize(original), out var reread, out _);

        Assert.True(ok);
        Assert.Equal(original!.Backends, reread!.Backends);
    }
}
