namespace Gateway.Shared.Tests.Validation;

/// <summary>
/// Values that must never reach haproxy.cfg, a map file or a runtime command: line breaks and
/// comment starts split a config line, spaces and quotes split arguments, ';' chains runtime
/// commands, and control, non-ASCII and invisible characters hide what an operator reads.
/// </summary>
internal static class HostileStrings
{
    private static readonly string Long = new('a', 2000);

    /// <summary>Refused in every string field (for path fields each is put after a leading '/').</summary>
    public static readonly string[] Common =
    [
        "a\nb", "a\rb", "a#b", "a b", "a\"b", "a'b", "a\\b", "a;b", "a\tb", "a\u0000b", "a\u0007b",
        "é", "a\u200Bb", "a\u2028b", "a\n", "a\r\n", "a\r", "\na", "a\u0085", Long,
    ];

    public static readonly string[] NamesOnly = ["", "-lead", ".lead", "_lead", "a/b", "a:b", "a%b", "a,b", new('a', 101)];

    public static readonly string[] IpsOnly =
    [
        "", "1", "010.1.1.1", "256.1.1.1", "1.2.3", "1.2.3.4.5", "0.0.0.0", "::", "0:0:0:0:0:0:0:0", "fe80::1%eth0",
        "[::1]", "::ffff:0.0.0.0", "1.2.3.4 ", "1.2.3.4\n", "::1\n", "localhost", "::ffff:1.2.3.4;", "1:::2", "1.2.3.4:80",
    ];

    public static readonly string[] HostsOnly =
    [
        "", "*.", "a..b", "-a.com", "a-.com", "*.*.a.com", "a.com.", ".a.com", "a_b.com", "a.com:80", "a.com/x",
        new string('a', 64) + ".com", string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".com",
    ];

    public static readonly string[] PathsOnly = ["", "api", "/a#frag", "/" + Long[..1024]];

    public static IEnumerable<string> Names => Common.Concat(NamesOnly);

    public static IEnumerable<string> Ips => Common.Concat(IpsOnly);

    public static IEnumerable<string> Hosts => Common.Concat(HostsOnly);

    /// <summary>Path-shaped hostile values: each common one after a '/', so only the bad character can be the reason.</summary>
    public static IEnumerable<string> Paths => Common.Select(v => "/" + v).Concat(PathsOnly);

    public static TheoryData<string> Data(IEnumerable<string> values)
    {
        var data = new TheoryData<string>();
        foreach (var value in values)
            data.Add(value);
        return data;
    }
}
