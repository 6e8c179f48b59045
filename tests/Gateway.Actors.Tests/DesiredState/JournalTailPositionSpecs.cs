using Gateway.Actors.DesiredState;
using Position = Gateway.Actors.DesiredState.JournalTailActor.Position;

namespace Gateway.Actors.Tests.DesiredState;

/// <summary>The journal tail's position: offsets only move on, the routes are asked for once at a time, reads back off.</summary>
public class JournalTailPositionSpecs
{
    [Fact]
    public void Position_should_move_its_offset_only_forward_and_clear_failures_on_a_read()
    {
        var failing = Position.Start with { Offset = 10, Failures = 3 };

        Assert.Equal(Position.Start with { Offset = 12 }, failing.Read(12));
        Assert.Equal(10, failing.Read(9).Offset);
    }

    [Fact]
    public void Position_should_ask_for_the_routes_once_while_a_question_is_out_and_again_if_newer_ones_were_read()
    {
        var (asked, ask) = Position.Start.RoutesMoved(3);
        var (stillAsking, askAgain) = asked.RoutesMoved(4);
        var (older, _) = stillAsking.RoutesMoved(2);
        var (answeredStale, askAfterStale) = stillAsking.RoutesAnswered(3);
        var (answered, askAfterAnswer) = stillAsking.RoutesAnswered(4);

        Assert.True(ask);
        Assert.False(askAgain);
        Assert.Equal(4, stillAsking.RoutesVersion);
        Assert.Equal(stillAsking, older);
        Assert.True(askAfterStale);
        Assert.True(answeredStale.AskingRoutes);
        Assert.False(askAfterAnswer);
        Assert.False(answered.AskingRoutes);
    }

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(4, 4000)]
    [InlineData(5, 5000)]
    [InlineData(40, 5000)]
    public void Position_should_back_off_from_half_a_second_to_five(int failures, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), (Position.Start with { Failures = failures }).Backoff);
}
