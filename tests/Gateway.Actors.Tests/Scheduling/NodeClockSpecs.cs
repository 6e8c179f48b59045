using System.Diagnostics;
using Gateway.Actors.Scheduling;

namespace Gateway.Actors.Tests.Scheduling;

/// <summary>The node's clock goes on with the monotonic one when the wall clock is stepped, and shows its times on the wall clock.</summary>
public sealed class NodeClockSpecs
{
    private static readonly DateTime T0 = new(2026, 12, 3, 20, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void NodeClock_should_go_on_from_its_start_when_the_wall_clock_steps_back()
    {
        var (wall, ticks) = (T0, 1_000L);
        var clock = new NodeClock(() => wall, () => ticks);

        ticks += Stopwatch.Frequency * 10; // 10 s later the wall clock is stepped an hour back
        wall = T0 + TimeSpan.FromSeconds(10) - TimeSpan.FromHours(1);

        Assert.Equal(T0 + TimeSpan.FromSeconds(10), clock.UtcNow);
        Assert.Equal(TimeSpan.FromHours(-1), clock.WallOffset);
        Assert.Equal(wall, clock.UtcNow + clock.WallOffset);
    }

    [Fact]
    public void NodeClock_should_show_no_offset_while_the_wall_clock_keeps_its_pace()
    {
        var (wall, ticks) = (T0, 0L);
        var clock = new NodeClock(() => wall, () => ticks);

        ticks += Stopwatch.Frequency / 2;
        wall += TimeSpan.FromSeconds(0.5);

        Assert.Equal(TimeSpan.Zero, clock.WallOffset);
        Assert.Equal(T0 + TimeSpan.FromSeconds(0.5), clock.UtcNow);
    }
}
