using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Shared.Validation;

namespace Gateway.Shared.Serialization;

/// <summary>
/// The one JSON dialect of Gateway: the seed's REST format, the admin API, cluster messages and
/// journal events all use these options (camelCase, enums as their lower-case names, unknown
/// fields ignored, required fields and non-null annotations enforced).
/// </summary>
public static class GatewayJson
{
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>
    /// <see cref="Options"/>, refusing fields the type does not have: the first pass of
    /// <see cref="UnknownFields.TryRead{T}"/>, which names them all when this refuses one.
    /// </summary>
    public static readonly JsonSerializerOptions StrictOptions = new(Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNameCaseInsensitive = true,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            NumberHandling = JsonNumberHandling.Strict,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            AllowDuplicateProperties = false,
            // Gateway's JSON goes to APIs, files and the journal, never into HTML: keep '+' and '–' readable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            MaxDepth = 32,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>
    /// Parses <paramref name="json"/>, turning a malformed document into an error that names the
    /// field (<c>backends[0].servers[1].port: …</c>) instead of an exception.
    /// </summary>
    public static bool TryDeserialize<T>(ReadOnlySpan<byte> json, out T? value, out ValidationError? error) =>
        TryDeserialize(json, Options, out value, out error);

    /// <param name="options"><see cref="Options"/> or <see cref="StrictOptions"/>.</param>
    public static bool TryDeserialize<T>(ReadOnlySpan<byte> json, JsonSerializerOptions options, out T? value, out ValidationError? error)
    {
        try
        {
            value = JsonSerializer.Deserialize<T>(json, options);
            error = value is null ? new ValidationError("", "must be a JSON object, not null") : null;
            return value is not null;
        }
        catch (JsonException e)
        {
            value = default;
            error = ToError(e);
            return false;
        }
    }

    public static bool TryDeserialize<T>(string json, out T? value, out ValidationError? error) =>
        TryDeserialize(System.Text.Encoding.UTF8.GetBytes(json), out value, out error);

    private static ValidationError ToError(JsonException e)
    {
        var field = FieldOf(e.Path);
        if (e is JsonFieldException)
            return new ValidationError(field, e.Message);
        // The reader's syntax errors arrive wrapped (inner JsonReaderException); they are not a field's type.
        if (e.InnerException is JsonException)
            return new ValidationError(field, field.Length == 0 ? "is not a valid JSON document" : "is not valid JSON");
        const string marker = "missing required properties including: ";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            // STJ names the first missing property in quotes: "… including: 'name'."
            var missing = e.Message[(at + marker.Length)..].Split(',')[0].Trim(' ', '.', '\'');
            return new ValidationError(Join(field, missing), "is required");
        }
        return new ValidationError(field, field.Length == 0 ? "is not a valid JSON document" : "has the wrong type or format");
    }

    private static string Join(string parent, string child) =>
        parent.Length == 0 ? child : $"{parent}.{child}";

    /// <summary>"$.backends[0].servers[1].port" → "backends[0].servers[1].port".</summary>
    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
            return "";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Replace("['", ".").Replace("']", "").TrimStart('.');
    }
}
