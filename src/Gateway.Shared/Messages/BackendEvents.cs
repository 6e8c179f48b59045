using Gateway.Shared.Model;

namespace Gateway.Shared.Messages;

/// <summary>Journal events of a backend (persistence id <c>backend-&lt;name&gt;</c>): small facts in the past tense.</summary>
public interface IBackendEvent : IGatewayMessage
{
    string Source { get; }
}

/// <summary>A backend came into existence (or back after a delete).</summary>
public sealed record BackendCreated(Backend Backend, string Source) : IBackendEvent;

/// <summary>A backend's definition was replaced.</summary>
public sealed record BackendChanged(Backend Backend, string Source) : IBackendEvent;

/// <summary>A backend was deleted.</summary>
public sealed record BackendDeleted(string Name, string Source) : IBackendEvent;

/// <summary>Snapshot of a backend actor: its definition (null once deleted) and who wrote it last.</summary>
public sealed record BackendSnapshot(Backend? Backend, string? Source) : IGatewayMessage;

/// <summary>One backend as the catalog last saw it in the journal: its version (sequence number) and definition (null once deleted).</summary>
public sealed record CatalogEntry(string Name, long Version, Backend? Backend, string? Source);

/// <summary>
/// Snapshot of the backend catalog (persistence id <c>catalog</c>): every backend folded from the
/// journal's <c>gateway</c> tag up to <see cref="Offset"/> (and possibly some beyond: folding is
/// idempotent, the higher version wins).
/// </summary>
public sealed record BackendCatalogSnapshot(IReadOnlyList<CatalogEntry> Backends, long Offset) : IGatewayMessage;
