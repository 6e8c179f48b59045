using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Gateway.Shared.Serialization;

/// <summary>
/// Serializes Gateway's messages and journal events as <see cref="GatewayJson"/> under the stable
/// manifests of <see cref="Manifests"/>: the same bytes go over remoting and into the journal.
/// </summary>
public sealed class GatewaySerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka serializer id (user range starts above 40).</summary>
    public const int Id = 521;

    public const string Name = "gateway-json";

    public override int Identifier => Id;

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), GatewayJson.Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize(bytes, Manifests.TypeOf(manifest), GatewayJson.Options)
        ?? throw new System.Runtime.Serialization.SerializationException($"Null payload for manifest [{manifest}]");

    public override string Manifest(object o) => Manifests.Of(o.GetType());
}
