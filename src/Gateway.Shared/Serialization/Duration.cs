using System.Globalization;

namespace Gateway.Shared.Serialization;

/// <summary>Durations in HAProxy's notation ("500ms", "2s", "1m", "1h"; a bare number is milliseconds).</summary>
public static class Duration
{
    /// <summary>The longest duration accepted: a year, far above any timeout and far below overflow.</summary>
    internal const long MaxMilliseconds = 365L * 24 * 3_600_000;

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text.Length > 32)
            return false;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
            digits++;
        // Bounding the number before the unit multiplies it keeps the product from overflowing.
        if (digits == 0 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number > MaxMilliseconds)
            return false;
        long? ms = text[digits..] switch
        {
            "" or "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            "h" => number * 3_600_000,
            _ => null,
        };
        if (ms is null || ms > MaxMilliseconds)
            return false;
        value = TimeSpan.FromMilliseconds(ms.Value);
        return true;
    }

    /// <summary>The shortest exact HAProxy form, e.g. "2s" or "1500ms".</summary>
    public static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        if (ms != 0 && ms % 3_600_000 == 0) return $"{ms / 3_600_000}h";
        if (ms != 0 && ms % 60_000 == 0) return $"{ms / 60_000}m";
        if (ms != 0 && ms % 1000 == 0) return $"{ms / 1000}s";
        return $"{ms}ms";
    }
}
