using Akka.Actor;
using Akka.Configuration;
using Gateway.Shared.Serialization;

namespace Gateway.Testing;

/// <summary>
/// Another Akka service, as a user would run one: an actor system with remoting on loopback (not a
/// cluster member) and Gateway's serializer, sending commands to a node's <c>/user/…</c> actors.
/// </summary>
public sealed class AkkaClient : IAsyncDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("client", ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.actor.serializers.{{GatewaySerializer.Name}} = "{{typeof(GatewaySerializer).AssemblyQualifiedName}}"
        akka.actor.serialization-bindings { "{{typeof(Gateway.Shared.Messages.IGatewayMessage).AssemblyQualifiedName}}" = {{GatewaySerializer.Name}} }
        """));

    /// <summary>Asks the actor at <paramref name="path"/> (e.g. <c>/user/backends</c>) of the node whose remoting listens on <paramref name="port"/>.</summary>
    public Task<object> AskAsync(int port, string path, object message, TimeSpan timeout) =>
        _system.ActorSelection($"akka.tcp://gateway@127.0.0.1:{port}{path}").Ask<object>(message, timeout);

    public async ValueTask DisposeAsync() => await _system.Terminate();
}
