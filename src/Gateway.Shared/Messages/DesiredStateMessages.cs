using Gateway.Shared.Model;

namespace Gateway.Shared.Messages;

/// <summary>A backend at a version (its journal sequence number), and who wrote that version.</summary>
public sealed record VersionedBackend(Backend Backend, long Version, string? Source = null);

/// <summary>
/// A backend's desired state changed to <see cref="Version"/>; <see cref="Backend"/> is null when
/// it was deleted. Versions only grow, so applying is idempotent and order-insensitive.
/// </summary>
public sealed record BackendStateChanged(string BackendName, long Version, Backend? Backend, string? Source = null) : IGatewayMessage;

/// <summary>The routes' desired state changed to <see cref="Version"/>.</summary>
public sealed record RoutesStateChanged(long Version, IReadOnlyList<Route> Routes) : IGatewayMessage;

/// <summary>Asks for all backends' desired state. Replies <see cref="BackendsList"/>.</summary>
public sealed record GetBackends : IGatewayMessage
{
    public static readonly GetBackends Instance = new();
}

/// <summary>One backend's desired state. Replies <see cref="BackendFound"/> or <see cref="BackendNotFound"/>.</summary>
public sealed record GetBackend(string BackendName) : IGatewayMessage;

public sealed record BackendFound(VersionedBackend Backend) : IGatewayMessage;

/// <summary>Every backend, ordered by name, and whether the node has recovered its full state yet.</summary>
public sealed record BackendsList(IReadOnlyList<VersionedBackend> Backends, bool Recovered) : IGatewayMessage;
