using Akka.Persistence.Query;
using Gateway.Actors.Backends;
using Gateway.Actors.Routes;
using Gateway.Shared.Messages;

namespace Gateway.Actors.Persistence;

/// <summary>
/// What an event read by the <c>gateway</c> tag says, for everyone who reads the tag (the catalog,
/// the journal tail): a backend's event holds its whole definition, so it alone is that backend's
/// state at its version; a route event is a step, and says only that the routes moved to its version.
/// </summary>
public static class TaggedEvents
{
    /// <summary>The backend's state at this event's version, or null when the event is not a backend's.</summary>
    public static CatalogEntry? Backend(EventEnvelope envelope) => Backend(envelope.PersistenceId, envelope.SequenceNr, envelope.Event);

    /// <summary>The backend's state at <paramref name="sequenceNr"/>, or null when the event is not a backend's.</summary>
    public static CatalogEntry? Backend(string persistenceId, long sequenceNr, object? payload)
    {
        if (!persistenceId.StartsWith(BackendActor.PersistencePrefix, StringComparison.Ordinal) || payload is not IBackendEvent evt)
            return null;
        var name = persistenceId[BackendActor.PersistencePrefix.Length..];
        var state = BackendState.Empty(name).Apply(evt);
        return new CatalogEntry(name, sequenceNr, state.Backend, state.Source);
    }

    /// <summary>The routes' version after this event, or null when the event is not a route's.</summary>
    public static long? RoutesVersion(EventEnvelope envelope) =>
        envelope.PersistenceId == RoutesActor.Id && envelope.Event is IRouteEvent ? envelope.SequenceNr : null;
}
