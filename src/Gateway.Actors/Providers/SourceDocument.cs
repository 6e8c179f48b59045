using System.Text.RegularExpressions;
using Gateway.Shared.Model;
using Gateway.Shared.Serialization;
using Gateway.Shared.Validation;

namespace Gateway.Actors.Providers;

/// <summary>
/// The seed's JSON document as a source serves it: read up to a size limit, validated as a whole,
/// or refused with the field named. Fields Gateway does not know are not refused (the source is
/// not ours to refuse) but reported, so the provider can warn about a typo such as <c>"protocl"</c>.
/// </summary>
public static partial class SourceDocument
{
    /// <summary>Default size limit of a source's document (16 MiB): far above 10,000 backends, far below what hurts the node.</summary>
    public const long DefaultMaxBytes = 16 * 1024 * 1024;

    /// <summary>Parses and validates; a malformed or invalid document throws (a failed fetch, never "no backends").</summary>
    public static SourceSnapshot Parse(ReadOnlySpan<byte> json, string origin)
    {
        if (!UnknownFields.TryRead<BackendList>(json, out var list, out var error, out var unknown))
            throw new InvalidDataException($"{origin}: malformed document: {error}");
        var errors = BackendValidator.Validate(list!);
        if (errors.Count > 0)
            throw new InvalidDataException($"{origin}: {string.Join("; ", errors.Take(10))}");
        return new SourceSnapshot(list!.Backends, unknown.Select(e => InBackend(e, list.Backends)).ToList());
    }

    /// <summary>
    /// Reads <paramref name="source"/> to its end, refusing it once it passes
    /// <paramref name="maxBytes"/>: a source that sends more is stopped there, not buffered.
    /// </summary>
    public static async Task<ArraySegment<byte>> ReadAsync(Stream source, long maxBytes, string origin, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw TooLarge(origin, maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The error of a document past the limit; it names the setting that raises it.</summary>
    public static InvalidDataException TooLarge(string origin, long maxBytes) =>
        new($"{origin}: document larger than [{maxBytes}] bytes (Gateway:Providers:N:MaxDocumentBytes)");

    /// <summary><c>backends[2].servers[0].wieght</c> → in backend "web" (the document's third), field <c>servers[0].wieght</c>.</summary>
    private static UnknownField InBackend(ValidationError error, IReadOnlyList<Backend> backends)
    {
        var match = BackendPath().Match(error.Field);
        if (match.Success && int.TryParse(match.Groups[1].ValueSpan, out var index) && index < backends.Count)
            return new UnknownField(backends[index].Name, match.Groups[2].Value, error.Message);
        return new UnknownField(null, error.Field, error.Message);
    }

    [GeneratedRegex(@"^backends\[(\d+)\]\.(.+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BackendPath();
}

/// <summary>A source's document, read: its backends, and the fields in it Gateway does not know (ignored).</summary>
public sealed record SourceSnapshot(IReadOnlyList<Backend> Backends, IReadOnlyList<UnknownField> UnknownFields);

/// <summary>
/// A field of a source's document that Gateway does not know: in backend <see cref="Backend"/>
/// (null outside any backend), at <see cref="Field"/> (a path inside that backend, or in the document).
/// </summary>
public sealed partial record UnknownField(string? Backend, string Field, string Message)
{
    /// <summary>
    /// Names the field independently of list positions (<c>web/servers[].wieght</c>), so a source
    /// that reorders its lists is not warned about again.
    /// </summary>
    public string Key => $"{Backend}/{Index().Replace(Field, "[]")}";

    public override string ToString() => Backend is null ? $"{Field}: {Message}" : $"backend '{Backend}': {Field}: {Message}";

    [GeneratedRegex(@"\[\d+\]", RegexOptions.CultureInvariant)]
    private static partial Regex Index();
}
