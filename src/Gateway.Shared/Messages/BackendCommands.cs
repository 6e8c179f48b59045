using Gateway.Shared.Model;
using Gateway.Shared.Validation;

namespace Gateway.Shared.Messages;

/// <summary>
/// A command for one backend: it goes to that backend's single writer, wherever it runs, routed by
/// <see cref="BackendName"/> (see <see cref="Sharding.BackendShards"/>). Only commands carry it:
/// events, state-change notices and queries are answered elsewhere and never wake a writer.
/// </summary>
public interface IBackendCommand
{
    string BackendName { get; }
}

/// <summary>Creates or replaces a backend. Replies <see cref="BackendAccepted"/> or <see cref="BackendRejected"/>.</summary>
/// <param name="Backend">The whole definition, as it should be from now on.</param>
/// <param name="Source">Who asks ("admin-api", "provider:rest-1", …): kept in the history.</param>
public sealed record UpsertBackend(Backend Backend, string Source) : IBackendCommand, IGatewayMessage
{
    public string BackendName => Backend.Name;
}

/// <summary>Deletes a backend. Replies <see cref="BackendRemoved"/> or <see cref="BackendNotFound"/>.</summary>
public sealed record RemoveBackend(string BackendName, string Source) : IBackendCommand, IGatewayMessage;

/// <summary>The change was valid: stored at <see cref="Version"/> (unchanged input stores nothing).</summary>
public sealed record BackendAccepted(string BackendName, long Version, bool Changed) : IGatewayMessage;

/// <summary>The input was refused; each error names its field.</summary>
public sealed record BackendRejected(string BackendName, IReadOnlyList<ValidationError> Errors) : IGatewayMessage;

/// <summary>The backend was deleted at <see cref="Version"/>.</summary>
public sealed record BackendRemoved(string BackendName, long Version) : IGatewayMessage;

/// <summary>No backend of that name exists.</summary>
public sealed record BackendNotFound(string BackendName) : IGatewayMessage;
