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

    private static string Suggest(JsonTypeInfo type, string name)
    {
        var close = type.Properties
            .Select(p => (p.Name, Distance: Distance(p.Name.ToLowerInvariant(), name.ToLowerInvariant())))
            .Where(p => p.Distance <= Math.Max(1, p.Name.Length / 3))
            .OrderBy(p => p.Distance)
            .Select(p => p.Name)
            .FirstOrDefault();
        return close is null
            ? $"is not a known field (known: {string.Join(", ", type.Properties.Select(p => p.Name))})"
            : $"is not a known field (did you mean '{close}'?)";
    }

    /// <summary>Levenshtein distance, for suggestions on short field names.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
