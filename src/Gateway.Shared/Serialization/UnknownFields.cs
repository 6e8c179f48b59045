using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Shared.Validation;

namespace Gateway.Shared.Serialization;

/// <summary>
/// Finds the fields of a JSON document that the type it is read as does not have: a typo
/// (<c>"protocl"</c>) is silently dropped by the deserializer, so the admin API refuses such fields
/// and providers warn about them. Walks the document against <see cref="GatewayJson.Options"/>'
/// contract, so it knows exactly the names the deserializer accepts (case-insensitive).
/// </summary>
public static class UnknownFields
{
    /// <summary>
    /// Reads <typeparamref name="T"/> and names the fields it does not have, parsing once when there
    /// are none (the common case): a strict pass first; only when that refuses the document does a
    /// lenient pass tell a malformed document (false, with its error) from unknown fields (true, the
    /// value read without them, and each of them).
    /// </summary>
    public static bool TryRead<T>(ReadOnlySpan<byte> json, out T? value, out ValidationError? error, out IReadOnlyList<ValidationError> unknown)
    {
        unknown = [];
        if (GatewayJson.TryDeserialize(json, GatewayJson.StrictOptions, out value, out error))
            return true;
        if (!GatewayJson.TryDeserialize(json, out value, out error))
            return false;
        unknown = Find<T>(json);
        return true;
    }

    /// <summary>
    /// The unknown fields of <paramref name="json"/> read as <typeparamref name="T"/>, as paths
    /// (<c>backends[2].servers[0].wieght</c>), each with a suggestion when a known name is close.
    /// A document that does not parse has none (the deserializer reports it).
    /// </summary>
    public static IReadOnlyList<ValidationError> Find<T>(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = GatewayJson.Options.MaxDepth,
            });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return [];
        }
        using (document)
        {
            var found = new List<ValidationError>();
            Walk(document.RootElement, GatewayJson.Options.GetTypeInfo(typeof(T)), "", found);
            return found;
        }
    }

    private static void Walk(JsonElement element, JsonTypeInfo type, string path, List<ValidationError> found)
    {
        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object when element.ValueKind == JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var field = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (Match(type, property.Name) is { } known)
                        Walk(property.Value, GatewayJson.Options.GetTypeInfo(known.PropertyType), field, found);
                    else
                        found.Add(new ValidationError(field, Suggest(type, property.Name)));
                }
                break;
            case JsonTypeInfoKind.Enumerable when element.ValueKind == JsonValueKind.Array && type.ElementType is { } elementType:
                var items = GatewayJson.Options.GetTypeInfo(elementType);
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    Walk(item, items, $"{path}[{i++}]", found);
                break;
        }
    }

    private static JsonPropertyInfo? Match(JsonTypeInfo type, string name)
    {
        foreach (var property in type.Properties)
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                return property;
        return null;
    }

    private static string Suggest(JsonTypeInfo type, string name) =>
        Spelling.Closest(name, type.Properties.Select(p => p.Name)) is { } close
            ? $"is not a known field (did you mean '{close}'?)"
            : $"is not a known field (known: {string.Join(", ", type.Properties.Select(p => p.Name))})";
}
