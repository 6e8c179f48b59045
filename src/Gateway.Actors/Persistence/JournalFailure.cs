using Akka.Pattern;

namespace Gateway.Actors.Persistence;

/// <summary>A journal failure in words, for a caller told that its change was not stored.</summary>
public static class JournalFailure
{
    /// <summary>
    /// The journal's own words, without the stack: "the journal could not be written (SqliteException: …)".
    /// When Akka's circuit breaker in front of the journal failed the call fast, it says so: the error
    /// named is then the last one the database gave, not this call's.
    /// </summary>
    public static string Describe(Exception cause, string what = "the journal could not be written")
    {
        var root = cause.GetBaseException();
        var breaker = OpenBreaker(cause);
        if (breaker is null)
            return $"{what} ({Words(root)})";
        var failing = $"the journal's circuit breaker fails calls fast for [{breaker.RemainingDuration.TotalSeconds:0.#}] s more";
        return ReferenceEquals(root, breaker) ? $"{what} ({failing})" : $"{what} ({Words(root)}; {failing})";
    }

    private static string Words(Exception root) => $"{root.GetType().Name}: {root.Message.TrimEnd('.')}";

    private static OpenCircuitException? OpenBreaker(Exception? cause)
    {
        for (; cause is not null; cause = cause.InnerException)
            if (cause is OpenCircuitException open)
                return open;
        return null;
    }
}
