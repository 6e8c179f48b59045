using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Actors.Backends;

/// <summary>
/// The state of one backend and its domain logic, free of actors: a command gives a reply and the
/// events to persist (none when refused or when nothing changes), and events fold into state.
/// </summary>
public sealed record BackendState(string Name, Backend? Backend, string? Source)
{
    public static BackendState Empty(string name) => new(name, null, null);

    public bool Exists => Backend is not null;

    /// <summary>Decides what an upsert means: refused, unchanged (nothing stored), created or changed.</summary>
    public (object Reply, IBackendEvent? Event) Process(UpsertBackend command, long version)
    {
        var backend = command.Backend;
        if (backend.Name != Name)
            return (new BackendRejected(Name, [new ValidationError("name", $"must be '{Name}', the backend addressed")]), null);
        var errors = BackendValidator.Validate(backend);
        if (errors.Count > 0)
            return (new BackendRejected(Name, errors), null);
        if (Backend is not null && Backend.Equals(backend))
            return (new BackendAccepted(Name, version, Changed: false), null);
        IBackendEvent evt = Backend is null ? new BackendCreated(backend, command.Source) : new BackendChanged(backend, command.Source);
        return (new BackendAccepted(Name, version + 1, Changed: true), evt);
    }

    public (object Reply, IBackendEvent? Event) Process(RemoveBackend command, long version) =>
        Backend is null
            ? (new BackendNotFound(Name), null)
            : (new BackendRemoved(Name, version + 1), new BackendDeleted(Name, command.Source));

    public BackendState Apply(IBackendEvent evt) => evt switch
    {
        BackendCreated created => this with { Backend = created.Backend, Source = created.Source },
        BackendChanged changed => this with { Backend = changed.Backend, Source = changed.Source },
        BackendDeleted deleted => this with { Backend = null, Source = deleted.Source },
        _ => this,
    };

    public BackendSnapshot ToSnapshot() => new(Backend, Source);

    public static BackendState FromSnapshot(string name, BackendSnapshot snapshot) => new(name, snapshot.Backend, snapshot.Source);
}
