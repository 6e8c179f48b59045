using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Shared.Serialization;

/// <summary>Reads "500ms"/"2s"/"1m"/"1h" or a number of milliseconds; writes the shortest HAProxy form.</summary>
public sealed class DurationJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ms) && ms is >= 0 and <= Duration.MaxMilliseconds)
            return TimeSpan.FromMilliseconds(ms);
        if (reader.TokenType == JsonTokenType.String && Duration.TryParse(reader.GetString(), out var value))
            return value;
        throw new JsonFieldException("must be a duration such as \"500ms\", \"2s\" or \"1m\"");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Duration.Format(value));
}
