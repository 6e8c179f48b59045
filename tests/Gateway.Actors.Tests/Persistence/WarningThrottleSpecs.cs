using Gateway.Actors.Persistence;

namespace Gateway.Actors.Tests.Persistence;

public sealed class WarningThrottleSpecs
{
    private static readonly DateTime T0 = new(2026, 12, 2, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_first_occurrence_should_warn_and_the_next_ones_within_the_window_only_count()
    {
        var throttle = new WarningThrottle(TimeSpan.FromSeconds(10));

        var first = throttle.Next("backend-api", T0);
        var quiet = Enumerable.Range(1, 5).Select(i => throttle.Next("backend-api", T0.AddSeconds(i))).ToList();
        var next = throttle.Next("backend-api", T0.AddSeconds(10));

        Assert.Equal((true, 0), first);
        Assert.All(quiet, q => Assert.Equal((false, 0), q));
        Assert.Equal((true, 5), next); // the line after the window says how many it stood for
        Assert.Equal((false, 0), throttle.Next("backend-api", T0.AddSeconds(11)));
    }

    [Fact]
    public void Each_key_should_have_its_own_window()
    {
        var throttle = new WarningThrottle(TimeSpan.FromSeconds(10));

        Assert.Equal((true, 0), throttle.Next("backend-api", T0));
        Assert.Equal((true, 0), throttle.Next("backend-web", T0.AddSeconds(1)));
        Assert.Equal((false, 0), throttle.Next("backend-api", T0.AddSeconds(2)));
    }
}
