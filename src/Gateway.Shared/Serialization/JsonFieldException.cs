using System.Text.Json;

namespace Gateway.Shared.Serialization;

/// <summary>A converter's complaint about one value, worded for the user; the JSON path names the field.</summary>
public sealed class JsonFieldException(string message) : JsonException(message);
