using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Serialization;

namespace Gateway.Shared.Tests.Serialization;

/// <summary>
/// Gateway's messages go over remoting and into the journal as JSON under a stable manifest; the
/// binding is the one the hosts configure, so these specs go through Akka's own lookup.
/// </summary>
public sealed class GatewaySerializerSpecs : IAsyncLifetime
{
    private static readonly Config Bindings = ConfigurationFactory.ParseString("""
        akka.actor {
          serializers.gateway = "Gateway.Shared.Serialization.GatewaySerializer, Gateway.Shared"
          serialization-bindings {
            "Gateway.Shared.Messages.IGatewayMessage, Gateway.Shared" = gateway
          }
        }
        akka.loglevel = WARNING
        """);

    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("gateway-serializer-specs", Bindings);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    private GatewaySerializer SerializerFor(object message) =>
        Assert.IsType<GatewaySerializer>(_system.Serialization.FindSerializerFor(message));

    [Fact]
    public void GatewaySerializer_should_be_bound_to_gateway_messages()
    {
        var evt = BackendEvent.Add(Samples.FullyConfigured());

        var serializer = _system.Serialization.FindSerializerFor(evt);

        Assert.IsType<GatewaySerializer>(serializer);
        Assert.Equal(GatewaySerializer.Id, serializer.Identifier);
    }

    [Fact]
    public void GatewaySerializer_should_write_backend_events_under_a_stable_manifest()
    {
        var evt = BackendEvent.Add(Samples.FullyConfigured());

        var manifest = Akka.Serialization.Serialization.ManifestFor(SerializerFor(evt), evt);

        Assert.Equal("backend-event.v1", manifest);
    }

    [Fact]
    public void GatewaySerializer_should_write_no_clr_type_names_into_the_bytes()
    {
        var evt = BackendEvent.Add(Samples.FullyConfigured());

        var text = Encoding.UTF8.GetString(SerializerFor(evt).ToBinary(evt));

        Assert.DoesNotContain("Gateway.Shared", text);
        Assert.DoesNotContain("System.", text);
        Assert.StartsWith("""{"type":"ADD","backend":{"name":"api-backend",""", text);
    }

    [Fact]
    public void GatewaySerializer_should_round_trip_an_add_with_a_full_backend()
    {
        var evt = BackendEvent.Add(Samples.FullyConfigured());
        var serializer = SerializerFor(evt);

        var bytes = serializer.ToBinary(evt);
        var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, serializer.Manifest(evt));

        Assert.Equal(evt, back);
    }

    [Fact]
    public void GatewaySerializer_should_round_trip_the_providers_status_under_stable_names()
    {
        var at = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
        var status = new ProvidersStatus(
        [
            new ProviderStatus("registry", "RestBackendProvider", ProviderState.Waiting, at.AddMinutes(-1),
                new ProviderError("HTTP 500", at), 2, at.AddSeconds(2)),
            new ProviderStatus("file", "FileBackendProvider", ProviderState.Watching, at, null, 0, null),
        ]);
        var serializer = SerializerFor(status);

        var bytes = serializer.ToBinary(status);
        var back = (ProvidersStatus)serializer.FromBinary(bytes, "providers-status.v1");

        Assert.Equal(status.Providers, back.Providers);
        const string first = """
            {"providers":[{"name":"registry","type":"RestBackendProvider","state":"waiting","lastSuccess":"2026-12-01T09:59:00Z","lastError":{"message":"HTTP 500","at":"2026-12-01T10:00:00Z"},"consecutiveFailures":2,"nextAttempt":"2026-12-01T10:00:02Z"}
            """;
        Assert.StartsWith(first, Encoding.UTF8.GetString(bytes));
        Assert.Equal("get-providers-status.v1", serializer.Manifest(GetProvidersStatus.Instance));
    }

    [Fact]
    public void GatewaySerializer_should_round_trip_a_nodes_summary_with_when_its_last_error_happened()
    {
        var at = new DateTime(2026, 12, 3, 20, 0, 0, DateTimeKind.Utc);
        var summary = new NodeSummary("akka.tcp://gateway@127.0.0.1:1",
            new SyncSummary(true, "h", "h", 0, "new backend", "No space left on device") { LastErrorAt = at }, at);
        var serializer = SerializerFor(summary);

        var back = (NodeSummary)serializer.FromBinary(serializer.ToBinary(summary), "node-summary.v1");

        Assert.Equal(summary.Sync, back.Sync);
        Assert.Equal(at, back.Sync.LastErrorAt);
    }

    [Fact]
    public void GatewaySerializer_should_round_trip_a_delete()
    {
        var evt = BackendEvent.Delete("api-backend");
        var serializer = SerializerFor(evt);

        var back = serializer.FromBinary(serializer.ToBinary(evt), "backend-event.v1");

        Assert.Equal(evt, back);
    }

    [Fact]
    public void GatewaySerializer_should_throw_when_the_manifest_is_unknown()
    {
        var evt = BackendEvent.Delete("api-backend");
        var serializer = SerializerFor(evt);
        var bytes = serializer.ToBinary(evt);

        var thrown = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "backend-event.v0"));

        Assert.Contains("backend-event.v0", thrown.Message);
    }

    [Fact]
    public void GatewaySerializer_should_throw_when_the_payload_is_json_null()
    {
        var serializer = SerializerFor(BackendEvent.Delete("x"));

        Assert.Throws<SerializationException>(() => serializer.FromBinary("null"u8.ToArray(), "backend-event.v1"));
    }
}
