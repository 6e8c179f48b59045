using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Gateway.Shared.Model;
using Route = Gateway.Shared.Model.Route;
using Gateway.Shared.Serialization;
using Gateway.Shared.Validation;

namespace Gateway.Node.Admin;

/// <summary>
/// Reads the admin API's bodies in Gateway's JSON dialect and refuses, with the field named, what
/// does not parse, what the type does not know (a typo such as <c>"protocl"</c> would otherwise be
/// dropped silently) and what does not validate. Pure: nothing here throws on bad input.
/// </summary>
public static class AdminJson
{
    public static IResult Ok(object value) => Results.Json(value, GatewayJson.Options);

    /// <summary>A backend for <c>PUT /api/backends/{name}</c>: the body may leave its name out, the URL names it.</summary>
    public static Result<Backend> ReadBackend(byte[] body, string name)
    {
        var read = Read<Backend>(body);
        if (read.Value is null && read.Errors is [{ Field: "name", Message: "is required" }] && WithName(body, name) is { } named)
            read = Read<Backend>(named);
        return read.Then(backend => backend.Name == name
            ? BackendValidator.Validate(backend)
            : [new ValidationError("name", $"must be '{name}', as in the URL")]);
    }

    /// <summary>The seed's document for <c>POST /api/backends</c>: every backend must be valid.</summary>
    public static Result<BackendList> ReadBackends(byte[] body) => Read<BackendList>(body).Then(BackendValidator.Validate);

    public static Result<Route> ReadRoute(byte[] body) => Read<Route>(body).Then(RouteValidator.Validate);

    /// <summary>Parses <typeparamref name="T"/> and refuses fields it does not have, naming each.</summary>
    public static Result<T> Read<T>(byte[] body) where T : class
    {
        if (!UnknownFields.TryRead<T>(body, out var value, out var error, out var unknown))
            return Result<T>.Refused(error!);
        return unknown.Count > 0 ? new Result<T>(null, unknown) : new Result<T>(value, []);
    }

    /// <summary>
    /// The body with <c>"name"</c> added as the object's first field; the name is validated (no quotes
    /// or escapes), and the deserializer said the object has none. Null when the body is no object.
    /// </summary>
    private static byte[]? WithName(byte[] body, string name)
    {
        // The object's '{' as the deserializer finds it: comments may come first.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
        }
        catch (JsonException)
        {
            return null;
        }
        var open = (int)reader.TokenStartIndex + 1;
        return [.. body.AsSpan(0, open), .. Encoding.UTF8.GetBytes($"\"name\":\"{name}\","), .. body.AsSpan(open)];
    }
}

/// <summary>A value read from a body, or what is wrong with it (each error names its field).</summary>
public readonly record struct Result<T>(T? Value, IReadOnlyList<ValidationError> Errors) where T : class
{
    public static Result<T> Refused(ValidationError error) => new(null, [error]);

    /// <summary>This result, refused with <paramref name="validate"/>'s errors if it has a value they find fault with.</summary>
    public Result<T> Then(Func<T, IReadOnlyList<ValidationError>> validate) =>
        Value is null ? this : validate(Value) is { Count: > 0 } errors ? new Result<T>(null, errors) : this;

    public void Deconstruct([NotNullWhen(true)] out T? value, out IReadOnlyList<ValidationError> errors) => (value, errors) = (Value, Errors);
}
