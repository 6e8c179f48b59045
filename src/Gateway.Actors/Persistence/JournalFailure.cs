namespace Gateway.Actors.Persistence;

/// <summary>A journal failure in words, for a caller told that its change was not stored.</summary>
public static class JournalFailure
{
    /// <summary>The journal's own words, without the stack: "the journal could not be written (SqliteException: …)".</summary>
    public static string Describe(Exception cause, string what = "the journal could not be written")
    {
        var root = cause.GetBaseException();
        return $"{what} ({root.GetType().Name}: {root.Message.TrimEnd('.')})";
    }
}
