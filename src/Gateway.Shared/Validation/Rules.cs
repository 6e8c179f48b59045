using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Gateway.Shared.Validation;

/// <summary>
/// The rules for every string that can reach <c>haproxy.cfg</c>, a map file or a runtime command.
/// Each returns null when the value is acceptable, or the message to show next to the field.
/// The character sets are allow-lists: newline, CR, '#', spaces, quotes, backslash, ';' (the
/// runtime API's command separator), control and non-ASCII characters never pass. Patterns end
/// in <c>\z</c>, not <c>$</c>: .NET's <c>$</c> also matches before a final '\n', which let "name\n" through.
/// </summary>
public static partial class Rules
{
    public const int MaxNameLength = 100;
    public const int MaxHostLength = 253;
    public const int MaxPathLength = 1024;
    public const int MaxFilePathLength = 1024;
    public const int MaxServers = 1000;
    public const int MaxWeight = 256;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IPv4Pattern();

    [GeneratedRegex(@"^[0-9A-Fa-f:.]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex IPv6Chars();

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"^/[A-Za-z0-9._~!$&()*+,=:@%/-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"^/[A-Za-z0-9._~!$&()*+,=:@%/?-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathWithQueryPattern();

    [GeneratedRegex(@"^/[A-Za-z0-9._/-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex FilePathPattern();

    /// <summary>Backend and server names: HAProxy identifiers, kept to characters that need no quoting anywhere.</summary>
    public static string? Name(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "is required";
        if (value.Length > MaxNameLength || !NamePattern().IsMatch(value))
            return $"must be 1–{MaxNameLength} characters of letters, digits, '.', '_' or '-', starting with a letter or digit";
        return null;
    }

    /// <summary>An IPv4 dotted quad or an IPv6 literal (no brackets, no zone), not the unspecified address.</summary>
    public static string? IpAddress(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "is required";
        const string message = "must be an IPv4 or IPv6 address literal";
        if (value.Length > 45)
            return message;
        IPAddress? address = null;
        if (IPv4Pattern().IsMatch(value))
            address = IPAddress.Parse(value);
        else if (value.Contains(':') && IPv6Chars().IsMatch(value)
                 && IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            address = v6;
        if (address is null)
            return message;
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            return "must not be the unspecified address";
        return null;
    }

    /// <summary>A bind address: like <see cref="IpAddress"/> but the unspecified address (all interfaces) is allowed.</summary>
    public static string? BindAddress(string? value) =>
        value is "0.0.0.0" or "::" ? null : IpAddress(value);

    public static string? Port(int value) =>
        value is >= 1 and <= 65535 ? null : "must be 1–65535";

    public static string? Weight(int? value) =>
        value is null or (>= 0 and <= MaxWeight) ? null : $"must be 0–{MaxWeight}";

    /// <summary>A DNS name (RFC 1123), optionally <c>*.</c> followed by one when <paramref name="allowWildcard"/>.</summary>
    public static string? Hostname(string? value, bool allowWildcard)
    {
        if (string.IsNullOrEmpty(value))
            return "is required";
        var name = allowWildcard && value.StartsWith("*.", StringComparison.Ordinal) ? value[2..] : value;
        if (value.Length > MaxHostLength || !HostPattern().IsMatch(name))
            return allowWildcard
                ? "must be a host name (letters, digits, '-' and '.', labels of 1–63) with an optional leading '*.'"
                : "must be a host name (letters, digits, '-' and '.', labels of 1–63)";
        return null;
    }

    /// <summary>A URL path: starts with '/', unreserved and sub-delimiter characters, '%' escapes; a query only when <paramref name="allowQuery"/>.</summary>
    public static string? Path(string? value, bool allowQuery = false)
    {
        if (string.IsNullOrEmpty(value))
            return "is required";
        var pattern = allowQuery ? PathWithQueryPattern() : PathPattern();
        if (value.Length > MaxPathLength || !pattern.IsMatch(value))
            return $"must start with '/' and hold at most {MaxPathLength} URL characters (no spaces, quotes, '#', ';' or '\\')";
        return null;
    }

    /// <summary>An absolute file path of letters, digits, '.', '_', '-' and '/'.</summary>
    public static string? FilePath(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "is required";
        if (value.Length > MaxFilePathLength || !FilePathPattern().IsMatch(value))
            return "must be an absolute path of letters, digits, '.', '_', '-' and '/'";
        return null;
    }

    public static string? Interval(TimeSpan value) =>
        value >= TimeSpan.FromMilliseconds(100) && value <= TimeSpan.FromHours(1)
            ? null
            : "must be between 100ms and 1h";

}
