using Gateway.Node.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Node.Tests.Configuration;

/// <summary>The walk knows keys from the types alone: a property added to an options type is checked without telling the loader.</summary>
public sealed class ConfigurationKeysSpecs
{
    private enum Mode { Fast, Safe }

    private sealed class Limits
    {
        public long MaxDocumentBytes { get; set; }
    }

    private sealed class Sample
    {
        public Limits Limits { get; } = new();
        public List<int> Ports { get; set; } = [];
        public Dictionary<Mode, TimeSpan> Timeouts { get; set; } = [];
        public string Computed => "";
    }

    private static IReadOnlyList<string> Check(params string[] settings)
    {
        DurationTypeConverter.Register();
        var pairs = settings.Select(s => s.Split('=', 2)).Select(p => KeyValuePair.Create(p[0], (string?)p[1]));
        var section = new ConfigurationBuilder().AddInMemoryCollection(pairs).Build().GetSection("S");
        return ConfigurationKeys.Check(section, typeof(Sample)).Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void ConfigurationKeys_should_accept_every_shape_the_binder_binds()
    {
        var errors = Check("S:Limits:MaxDocumentBytes=1048576", "S:Ports:0=80", "S:Ports:1=443", "S:Timeouts:fast=1s", "S:Timeouts:Safe=00:00:30");

        Assert.Empty(errors);
    }

    [Fact]
    public void ConfigurationKeys_should_name_each_bad_key_of_a_type_it_was_not_written_for()
    {
        var errors = Check("S:Limits:MaxDocumentBytes=1MB", "S:Ports:0=http", "S:Timeouts:Slow=1s", "S:Timeouts:Safe=soon", "S:Computed=x");

        Assert.Equal(
        [
            "S:Computed: unknown key. S takes Limits, Ports, Timeouts",
            "S:Limits:MaxDocumentBytes: must be an integer",
            "S:Ports:0: must be an integer",
            "S:Timeouts:Safe: must be a duration such as 500ms, 5s, 1m or 00:00:05",
            "S:Timeouts:Slow: as an entry's name, must be one of Fast, Safe",
        ], errors.Order(StringComparer.Ordinal));
    }
}
