using Gateway.Shared.Model;
using Gateway.Shared.Serialization;
using Gateway.Shared.Validation;

namespace Gateway.Actors.Providers;

/// <summary>The seed's JSON document as a source serves it: read, validated as a whole, or refused with the field named.</summary>
public static class SourceDocument
{
    /// <summary>Parses and validates; a malformed or invalid document throws (a failed fetch, never "no backends").</summary>
    public static IReadOnlyList<Backend> Parse(ReadOnlySpan<byte> json, string origin)
    {
        if (!GatewayJson.TryDeserialize<BackendList>(json, out var list, out var error))
            throw new InvalidDataException($"{origin}: malformed document: {error}");
        var errors = BackendValidator.Validate(list!);
        if (errors.Count > 0)
            throw new InvalidDataException($"{origin}: {string.Join("; ", errors.Take(10))}");
        return list!.Backends;
    }
}
