using Gateway.Actors.Haproxy;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy;

/// <summary>A refused config must say where and why, in HAProxy's own words, so the reload failure can be reported.</summary>
public class ConfigCheckSpecs
{
    /// <summary>What HAProxy 2.6.12 prints for <c>haproxy -c -f a.cfg</c> with an unknown keyword on line 2.</summary>
    private const string UnknownKeywordOutput = """
        [NOTICE]   (9585) : haproxy version is 2.6.12-1+deb12u4
        [NOTICE]   (9585) : path to executable is /usr/sbin/haproxy
        [ALERT]    (9585) : config : parsing [a.cfg:2] : unknown keyword 'bogus-keyword' in 'global' section
        [ALERT]    (9585) : config : Error(s) found in configuration file : a.cfg
        [ALERT]    (9585) : config : Fatal errors found in configuration.

        """;

    /// <summary>A rendered config with <paramref name="line"/> inserted right after the header of <paramref name="section"/>; returns the inserted line's number.</summary>
    private static (string Config, int LineNumber) Insert(ScratchHaproxyDir dir, string section, string line)
    {
        var rendered = ConfigRenderer.Render(new(), new(), dir.Layout, [Backend("api")], []);
        var lines = rendered.Config.Split('\n').ToList();
        var at = lines.IndexOf(section) + 1;
        Assert.True(at > 0, $"no section [{section}]");
        lines.Insert(at, line);
        return (string.Join('\n', lines), at + 1);
    }

    [Fact]
    public async Task ConfigCheck_should_return_no_errors_when_haproxy_accepts_the_config()
    {
        using var dir = new ScratchHaproxyDir();
        var rendered = ConfigRenderer.Render(new(), new(), dir.Layout, [Backend("api")], []);

        var errors = await dir.CheckAsync(rendered);

        Assert.Empty(errors);
    }

    [Fact]
    public async Task ConfigCheck_should_report_file_line_and_message_when_global_has_an_unknown_keyword()
    {
        using var dir = new ScratchHaproxyDir();
        var (config, lineNumber) = Insert(dir, "global", "    bogus-keyword on");
        var path = dir.File("broken.cfg");
        File.WriteAllText(path, config);

        var errors = await ScratchHaproxyDir.CheckAsync(path);

        var error = Assert.Single(errors);
        Assert.Equal(path, error.File);
        Assert.Equal(lineNumber, error.Line);
        Assert.Contains("unknown keyword 'bogus-keyword' in 'global' section", error.Message);
    }

    [Fact]
    public async Task ConfigCheck_should_report_the_message_when_a_use_backend_names_a_missing_backend()
    {
        using var dir = new ScratchHaproxyDir();
        var (config, _) = Insert(dir, "frontend http-gateway", "    use_backend missing if { path /x }");
        var path = dir.File("broken.cfg");
        File.WriteAllText(path, config);

        var errors = await ScratchHaproxyDir.CheckAsync(path);

        // HAProxy 2.6 resolves use_backend after parsing and names the proxy, not a file and line.
        var error = Assert.Single(errors);
        Assert.Null(error.File);
        Assert.Null(error.Line);
        Assert.Contains("Proxy 'http-gateway': unable to find required use_backend: 'missing'", error.Message);
    }

    [Fact]
    public async Task ConfigCheck_should_report_a_missing_config_file()
    {
        using var dir = new ScratchHaproxyDir();
        var path = dir.File("absent.cfg");

        var errors = await ScratchHaproxyDir.CheckAsync(path);

        var error = Assert.Single(errors);
        Assert.Contains($"Cannot open configuration file/directory {path}", error.Message);
    }

    [Fact]
    public void ConfigCheck_should_drop_the_generic_summary_when_specific_alerts_exist()
    {
        var output = UnknownKeywordOutput;

        var errors = ConfigCheck.ParseAlerts(output);

        var error = Assert.Single(errors);
        Assert.Equal(new ConfigError("a.cfg", 2, "unknown keyword 'bogus-keyword' in 'global' section"), error);
    }

    [Fact]
    public void ConfigCheck_should_keep_the_generic_summary_when_it_is_the_only_alert()
    {
        var output = "[ALERT]    (9588) : config : Fatal errors found in configuration.\n";

        var errors = ConfigCheck.ParseAlerts(output);

        var error = Assert.Single(errors);
        Assert.Equal(new ConfigError(null, null, "Fatal errors found in configuration."), error);
    }

    [Fact]
    public void ConfigCheck_should_ignore_notices_and_warnings()
    {
        var output = "[NOTICE]   (1) : haproxy version is 2.6.12-1+deb12u4\r\n"
                     + "[WARNING]  (1) : config : parsing [a.cfg:9] : a warning\r\n"
                     + "[ALERT]    (1) : config : parsing [/etc/x/a.cfg:12] : 'bind' : missing port\r\n";

        var errors = ConfigCheck.ParseAlerts(output);

        var error = Assert.Single(errors);
        Assert.Equal(new ConfigError("/etc/x/a.cfg", 12, "'bind' : missing port"), error);
    }

    [Fact]
    public void ConfigError_should_print_the_file_name_and_line_when_it_has_them()
    {
        var error = new ConfigError("/etc/x/a.cfg", 12, "'bind' : missing port");

        var text = error.ToString();

        Assert.Equal("a.cfg:12: 'bind' : missing port", text);
    }
}
