using System.Text.Json.Serialization;

namespace Gateway.Shared.Model;

/// <summary>
/// TLS towards a backend's servers (protocol <c>h2</c>). Certificates are verified by default,
/// against <see cref="CaFile"/> or the system's CA store.
/// </summary>
public sealed record TlsSettings
{
    /// <summary>Server name sent in SNI and checked against the server's certificate.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Sni { get; init; }

    /// <summary>Absolute path of a PEM CA bundle; null uses the system's CA store.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CaFile { get; init; }

    /// <summary>False turns certificate verification off (<c>verify none</c>): only for tests and labs.</summary>
    public bool Verify { get; init; } = true;
}
