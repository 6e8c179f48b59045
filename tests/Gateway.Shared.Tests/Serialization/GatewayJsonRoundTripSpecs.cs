using Gateway.Shared.Model;
using Gateway.Shared.Serialization;

namespace Gateway.Shared.Tests.Serialization;

/// <summary>Every optional field survives a write and a read, under the names and spellings of the JSON dialect.</summary>
public class GatewayJsonRoundTripSpecs
{
    [Fact]
    public void GatewayJson_should_round_trip_a_backend_with_every_option_set()
    {
        var backend = Samples.FullyConfigured();

        var ok = GatewayJson.TryDeserialize<Backend>(GatewayJson.Serialize(backend), out var reread, out var error);

        Assert.True(ok, error?.ToString());
        Assert.Equal(backend, reread);
        Assert.Equal(backend.Tls, reread!.Tls);
        Assert.Equal(backend.HealthCheck, reread.HealthCheck);
        Assert.Equal(backend.Servers, reread.Servers);
    }

    [Fact]
    public void GatewayJson_should_write_options_in_their_json_spelling()
    {
        var backend = Samples.FullyConfigured();

        var json = GatewayJson.Serialize(backend);

        Assert.Equal(
            """{"name":"api-backend","servers":"""
            + """[{"name":"srv1","ip":"10.0.1.10","port":8443,"weight":10,"state":"drain"},"""
            + """{"name":"srv2","ip":"2001:db8::1","port":8443,"weight":0,"state":"maint"}],"balance":"source","protocol":"h2","healthCheck":"""
            + """{"enabled":true,"path":"/health?full=1","interval":"500ms"},"tls":"""
            + """{"sni":"api.internal.example.com","caFile":"/etc/ssl/certs/internal-ca.pem","verify":false},"keepClientScheme":true,"httpReuse":"aggressive"}""",
            json);
    }

    [Fact]
    public void GatewayJson_should_read_options_written_by_hand()
    {
        const string json = """
            {"name": "grpc", "balance": "leastconn", "protocol": "h2c", "keepClientScheme": true, "httpReuse": "aggressive",
             "healthCheck": {"enabled": false, "interval": "1m"},
             "servers": [{"name": "g1", "ip": "::1", "port": 5000, "weight": 256, "state": "maint"}]}
            """;

        var ok = GatewayJson.TryDeserialize<Backend>(json, out var backend, out var error);

        Assert.True(ok, error?.ToString());
        Assert.Equal(BalanceAlgorithm.LeastConn, backend!.Balance);
        Assert.Equal(ServerProtocol.H2c, backend.Protocol);
        Assert.True(backend.KeepClientScheme);
        Assert.Equal(HttpReuse.Aggressive, backend.HttpReuse);
        Assert.Equal(new HealthCheck { Enabled = false, Interval = TimeSpan.FromMinutes(1) }, backend.HealthCheck);
        var server = Assert.Single(backend.Servers);
        Assert.Equal((256, ServerAdminState.Maint), (server.Weight!.Value, server.State));
    }

    [Fact]
    public void GatewayJson_should_read_a_bare_number_interval_as_milliseconds()
    {
        const string json = """{"name": "a", "healthCheck": {"interval": 1500}}""";

        GatewayJson.TryDeserialize<Backend>(json, out var backend, out _);

        Assert.Equal(TimeSpan.FromMilliseconds(1500), backend!.HealthCheck!.Interval);
    }
}
