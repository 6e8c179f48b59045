using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Shared.Serialization;

/// <summary>
/// Enums as their documented names only (<c>[JsonStringEnumMemberName]</c>, matched without
/// regard to case): numbers are refused, and a wrong name gets an error that lists the right ones.
/// </summary>
public sealed class NamedEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    private static readonly (T Value, string Name)[] Members = typeof(T)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => ((T)f.GetValue(null)!, f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name))
        .ToArray();

    private static readonly FrozenDictionary<string, T> ByName =
        Members.ToFrozenDictionary(m => m.Name, m => m.Value, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<T, string> ByValue = Members.ToFrozenDictionary(m => m.Value, m => m.Name);

    private static readonly string Expected = $"must be one of {string.Join(", ", Members.Select(m => m.Name))}";

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { } name && ByName.TryGetValue(name, out var value))
            return value;
        throw new JsonFieldException(Expected);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(ByValue.TryGetValue(value, out var name) ? name : throw new JsonException($"{typeof(T).Name} has no value {value}"));
}
