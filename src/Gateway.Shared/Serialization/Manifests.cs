using System.Collections.Frozen;
using Gateway.Shared.Model;

namespace Gateway.Shared.Serialization;

/// <summary>
/// The stable name of every type <see cref="GatewaySerializer"/> writes. A manifest is part of the
/// stored data: never rename one; add a new one (".v2") when a shape changes incompatibly.
/// </summary>
public static class Manifests
{
    private static readonly (Type Type, string Manifest)[] Table =
    [
        (typeof(BackendEvent), "backend-event.v1"),
    ];

    private static readonly FrozenDictionary<Type, string> ByType = Table.ToFrozenDictionary(t => t.Type, t => t.Manifest);
    private static readonly FrozenDictionary<string, Type> ByManifest = Table.ToFrozenDictionary(t => t.Manifest, t => t.Type);

    public static IReadOnlyCollection<Type> Types => ByType.Keys;

    public static string Of(Type type) =>
        ByType.TryGetValue(type, out var manifest)
            ? manifest
            : throw new ArgumentException($"{type.Name} has no manifest: add it to {nameof(Manifests)}", nameof(type));

    public static Type TypeOf(string manifest) =>
        ByManifest.TryGetValue(manifest, out var type)
            ? type
            : throw new System.Runtime.Serialization.SerializationException($"Unknown manifest [{manifest}]");

}
