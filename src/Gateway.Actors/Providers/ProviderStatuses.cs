using Gateway.Shared.Messages;

namespace Gateway.Actors.Providers;

/// <summary>
/// The transitions of a provider's <see cref="ProviderStatus"/>: pure functions of the status and
/// the time, so the provider actor only decides when they happen.
/// </summary>
public static class ProviderStatuses
{
    public static ProviderStatus New(string name, string type) => new(name, type, ProviderState.Starting, null, null, 0, null);

    /// <summary>The provider is being started (again): no attempt is pending any more.</summary>
    public static ProviderStatus Starting(this ProviderStatus status) => status with { State = ProviderState.Starting, NextAttempt = null };

    /// <summary>The provider's start returned: it watches its source.</summary>
    public static ProviderStatus Watching(this ProviderStatus status) => status with { State = ProviderState.Watching, NextAttempt = null };

    /// <summary>A completed fetch or a successful start: the failures in a row are over.</summary>
    public static ProviderStatus Succeeded(this ProviderStatus status, DateTime now) =>
        status with { State = ProviderState.Watching, LastSuccess = now, ConsecutiveFailures = 0, NextAttempt = null };

    /// <summary>A failure: one more in a row, and the next attempt after the backoff for that many.</summary>
    public static ProviderStatus Failed(this ProviderStatus status, DateTime now, string error, ProviderBackoff backoff)
    {
        var failures = status.ConsecutiveFailures + 1;
        return status with
        {
            State = ProviderState.Waiting,
            LastError = new ProviderError(error, now),
            ConsecutiveFailures = failures,
            NextAttempt = now + backoff.After(failures),
        };
    }

    /// <summary>
    /// How long from <paramref name="now"/> until the next attempt is due (zero if due or none pending),
    /// never longer than the backoff for the failures so far: the times are the wall clock's (they are
    /// shown), and a step back of it must not put the attempt off by the step.
    /// </summary>
    public static TimeSpan UntilNextAttempt(this ProviderStatus status, DateTime now, ProviderBackoff backoff) =>
        status.NextAttempt is { } next && next > now ? Min(next - now, backoff.After(status.ConsecutiveFailures)) : TimeSpan.Zero;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
