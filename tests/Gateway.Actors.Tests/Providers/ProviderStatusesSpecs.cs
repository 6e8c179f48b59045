using Gateway.Actors.Providers;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Tests.Providers;

/// <summary>
/// A provider's status as pure transitions: failures in a row with the next attempt after a backoff
/// that doubles, stays within a few of the provider's intervals, and starts over after a success.
/// </summary>
public class ProviderStatusesSpecs
{
    private static readonly DateTime T0 = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
    private static readonly ProviderBackoff Default = ProviderBackoff.Default;

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>The waits after each of <paramref name="count"/> failures in a row, one second apart.</summary>
    private static List<TimeSpan> Waits(ProviderBackoff backoff, int count)
    {
        var status = ProviderStatuses.New("p", "T");
        var waits = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            var at = T0 + S(i);
            status = status.Failed(at, "down", backoff);
            waits.Add(status.NextAttempt!.Value - at);
        }
        return waits;
    }

    [Fact]
    public void New_status_should_be_starting_with_no_success_no_error_and_no_attempt_pending()
    {
        var status = ProviderStatuses.New("registry", "RestBackendProvider");

        Assert.Equal(new ProviderStatus("registry", "RestBackendProvider", ProviderState.Starting, null, null, 0, null), status);
    }

    [Fact]
    public void Failed_should_count_failures_in_a_row_keep_the_error_and_set_the_next_attempt()
    {
        var status = ProviderStatuses.New("p", "T").Failed(T0, "HTTP 500", Default).Failed(T0 + S(1), "HTTP 503", Default);

        Assert.Equal(ProviderState.Waiting, status.State);
        Assert.Equal(2, status.ConsecutiveFailures);
        Assert.Equal(new ProviderError("HTTP 503", T0 + S(1)), status.LastError);
        Assert.Equal(T0 + S(1) + S(2), status.NextAttempt);
        Assert.Null(status.LastSuccess);
    }

    [Fact]
    public void Backoff_should_double_up_to_30_s_for_a_provider_with_no_interval()
    {
        var waits = Waits(Default.For(null), 8);

        Assert.Equal([S(1), S(2), S(4), S(8), S(16), S(30), S(30), S(30)], waits);
    }

    [Fact]
    public void Backoff_should_stay_within_three_intervals_of_a_polling_provider()
    {
        var waits = Waits(Default.For(S(2)), 6);

        Assert.Equal([S(1), S(2), S(4), S(6), S(6), S(6)], waits);
    }

    [Fact]
    public void Backoff_should_never_go_below_its_minimum_nor_above_its_maximum()
    {
        Assert.Equal([S(1), S(1), S(1)], Waits(Default.For(TimeSpan.FromMilliseconds(100)), 3));
        Assert.Equal(S(30), Default.For(TimeSpan.FromMinutes(10)).Max);
    }

    [Fact]
    public void Succeeded_should_end_the_failures_keep_the_last_error_and_start_the_backoff_over()
    {
        var failed = ProviderStatuses.New("p", "T").Failed(T0, "a", Default).Failed(T0 + S(1), "b", Default).Failed(T0 + S(3), "c", Default);

        var recovered = failed.Starting().Succeeded(T0 + S(8));
        var failedAgain = recovered.Failed(T0 + S(9), "d", Default);

        Assert.Equal(ProviderState.Watching, recovered.State);
        Assert.Equal(0, recovered.ConsecutiveFailures);
        Assert.Equal(T0 + S(8), recovered.LastSuccess);
        Assert.Null(recovered.NextAttempt);
        Assert.Equal(new ProviderError("c", T0 + S(3)), recovered.LastError);
        Assert.Equal(1, failedAgain.ConsecutiveFailures);
        Assert.Equal(T0 + S(10), failedAgain.NextAttempt);
    }

    [Fact]
    public void Starting_should_clear_the_pending_attempt_and_keep_the_failures()
    {
        var starting = ProviderStatuses.New("p", "T").Failed(T0, "a", Default).Starting();

        Assert.Equal(ProviderState.Starting, starting.State);
        Assert.Null(starting.NextAttempt);
        Assert.Equal(1, starting.ConsecutiveFailures);
    }

    [Fact]
    public void UntilNextAttempt_should_be_what_is_left_of_the_backoff_and_never_negative()
    {
        var backoff = Default.For(null);
        var failed = ProviderStatuses.New("p", "T").Failed(T0, "a", backoff).Failed(T0, "b", backoff);

        Assert.Equal(S(1.5), failed.UntilNextAttempt(T0 + S(0.5), backoff));
        Assert.Equal(TimeSpan.Zero, failed.UntilNextAttempt(T0 + S(5), backoff));
        Assert.Equal(TimeSpan.Zero, ProviderStatuses.New("p", "T").UntilNextAttempt(T0, backoff));
    }

    [Fact]
    public void UntilNextAttempt_should_not_grow_by_a_step_back_of_the_wall_clock()
    {
        var backoff = Default.For(null);
        var failed = ProviderStatuses.New("p", "T").Failed(T0, "a", backoff).Failed(T0, "b", backoff);

        // the machine's clock stepped an hour back between the failure and the restart's timer
        Assert.Equal(backoff.After(2), failed.UntilNextAttempt(T0 - TimeSpan.FromHours(1), backoff));
    }
}
