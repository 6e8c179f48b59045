using Gateway.Shared.Serialization;

namespace Gateway.Shared.Tests.Serialization;

/// <summary>HAProxy's duration notation: a whole number with an optional ms/s/m/h unit.</summary>
public class DurationSpecs
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1500", 1_500)]
    [InlineData("0", 0)]
    [InlineData("0ms", 0)]
    public void Duration_should_parse_haproxy_notation(string text, long milliseconds)
    {
        var ok = Duration.TryParse(text, out var value);

        Assert.True(ok);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("ms")]
    [InlineData("-1s")]
    [InlineData("+1s")]
    [InlineData("1.5s")]
    [InlineData("1d")]
    [InlineData("1 s")]
    [InlineData(" 1s")]
    [InlineData("1s\n")]
    [InlineData("1S")]
    [InlineData("١s")]
    [InlineData("000000000000000000000000000000001s")]
    [InlineData("99999999999999999999")]
    [InlineData("366d")]
    [InlineData("8761h")]
    public void Duration_should_refuse_text_that_is_not_a_duration(string? text)
    {
        var ok = Duration.TryParse(text, out _);

        Assert.False(ok);
    }

    [Theory]
    [InlineData("2305843009213693954s")]
    [InlineData("9223372036854775807h")]
    [InlineData("153722867280912931m")]
    public void Duration_should_refuse_a_number_whose_milliseconds_overflow(string text)
    {
        var ok = Duration.TryParse(text, out var value);

        Assert.False(ok, $"parsed as {value}");
    }

    [Theory]
    [InlineData(2_000, "2s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(60_000, "1m")]
    [InlineData(90_000, "90s")]
    [InlineData(3_600_000, "1h")]
    [InlineData(5_400_000, "90m")]
    [InlineData(500, "500ms")]
    [InlineData(0, "0ms")]
    public void Duration_should_format_the_shortest_exact_form(long milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        var text = Duration.Format(value);

        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData("500ms")]
    [InlineData("1500ms")]
    [InlineData("2s")]
    [InlineData("1m")]
    [InlineData("1h")]
    public void Duration_should_read_back_what_it_formats(string text)
    {
        Duration.TryParse(text, out var value);

        var formatted = Duration.Format(value);

        Assert.Equal(text, formatted);
    }
}
