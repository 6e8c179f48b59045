using System.Diagnostics;

namespace Gateway.Actors.Scheduling;

/// <summary>
/// The clock a node decides "when" by: UTC as the machine read it when the node started, moved on by
/// the monotonic clock since. A step of the machine's clock (NTP setting a VM's clock right after a
/// resume, an operator's <c>date -s</c>) moves no deadline: read from the wall clock, a step back of an
/// hour put every reload an hour away, so a new backend was stored and not served for that hour.
/// <para>
/// State keeps this clock's times; what a node shows (the status, the summary it shares) is turned
/// into the wall clock's with <see cref="WallOffset"/>. Both clocks are slewed alike by NTP, so the
/// offset moves only when the wall clock is stepped.
/// </para>
/// </summary>
public sealed class NodeClock
{
    /// <summary>This machine's clocks.</summary>
    public static NodeClock Machine { get; } = new(() => DateTime.UtcNow, Stopwatch.GetTimestamp);

    private readonly Func<DateTime> _wall;
    private readonly Func<long> _timestamp;
    private readonly DateTime _start;
    private readonly long _startTimestamp;

    /// <param name="wall">The wall clock, UTC.</param>
    /// <param name="timestamp">A monotonic timestamp in <see cref="Stopwatch.Frequency"/> ticks a second.</param>
    public NodeClock(Func<DateTime> wall, Func<long> timestamp)
    {
        _wall = wall;
        _timestamp = timestamp;
        _start = wall();
        _startTimestamp = timestamp();
    }

    /// <summary>Now, on this clock: never earlier than a reading before it.</summary>
    public DateTime UtcNow => _start + Stopwatch.GetElapsedTime(_startTimestamp, _timestamp());

    /// <summary>What to add to a time of this clock to show it on the wall clock (whole milliseconds, so it does not change between two reads).</summary>
    public TimeSpan WallOffset => TimeSpan.FromMilliseconds(Math.Round((_wall() - UtcNow).TotalMilliseconds));
}
