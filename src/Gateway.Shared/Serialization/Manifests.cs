using System.Collections.Frozen;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Shared.Serialization;

/// <summary>
/// The stable name of every type <see cref="GatewaySerializer"/> writes. A manifest is part of the
/// stored data: never rename one; add a new one (".v2") when a shape changes incompatibly.
/// </summary>
public static class Manifests
{
    private static readonly (Type Type, string Manifest)[] Table =
    [
        (typeof(BackendEvent), "backend-event.v1"),
        // commands and replies other Akka services send and receive
        (typeof(UpsertBackend), "upsert-backend.v1"),
        (typeof(RemoveBackend), "remove-backend.v1"),
        (typeof(BackendAccepted), "backend-accepted.v1"),
        (typeof(BackendRejected), "backend-rejected.v1"),
        (typeof(BackendRemoved), "backend-removed.v1"),
        (typeof(BackendNotFound), "backend-not-found.v1"),
        (typeof(NotStored), "not-stored.v1"),
        (typeof(GetBackends), "get-backends.v1"),
        (typeof(GetBackend), "get-backend.v1"),
        (typeof(BackendFound), "backend-found.v1"),
        (typeof(BackendsList), "backends-list.v1"),
        (typeof(SetRoute), "set-route.v1"),
        (typeof(RemoveRoute), "remove-route.v1"),
        (typeof(GetRoutes), "get-routes.v1"),
        (typeof(RouteAccepted), "route-accepted.v1"),
        (typeof(RouteRejected), "route-rejected.v1"),
        (typeof(RouteNotFound), "route-not-found.v1"),
        (typeof(RoutesList), "routes-list.v1"),
        (typeof(BackendStateChanged), "backend-state-changed.v1"),
        (typeof(RoutesStateChanged), "routes-state-changed.v1"),
        (typeof(GetSyncStatus), "get-sync-status.v1"),
        (typeof(SyncStatus), "sync-status.v1"),
        (typeof(GetSyncSummary), "get-sync-summary.v1"),
        (typeof(SyncSummary), "sync-summary.v1"),
        (typeof(NodeSummary), "node-summary.v1"),
        (typeof(AwaitApplied), "await-applied.v1"),
        (typeof(AwaitRoutesApplied), "await-routes-applied.v1"),
        (typeof(AppliedOk), "applied-ok.v1"),
        (typeof(ApplyFailed), "apply-failed.v1"),
        (typeof(GetProvidersStatus), "get-providers-status.v1"),
        (typeof(ProvidersStatus), "providers-status.v1"),
        (typeof(ProviderStatus), "provider-status.v1"),
        // journal events and snapshots: stored data, never rename
        (typeof(BackendCreated), "backend-created.v1"),
        (typeof(BackendChanged), "backend-changed.v1"),
        (typeof(BackendDeleted), "backend-deleted.v1"),
        (typeof(BackendSnapshot), "backend-snapshot.v1"),
        (typeof(RouteSet), "route-set.v1"),
        (typeof(RouteRemoved), "route-removed.v1"),
        (typeof(RoutesSnapshot), "routes-snapshot.v1"),
        (typeof(BackendCatalogSnapshot), "backend-catalog-snapshot.v1"),
    ];

    private static readonly FrozenDictionary<Type, string> ByType = Table.ToFrozenDictionary(t => t.Type, t => t.Manifest);
    private static readonly FrozenDictionary<string, Type> ByManifest = Table.ToFrozenDictionary(t => t.Manifest, t => t.Type);

    public static string Of(Type type) =>
        ByType.TryGetValue(type, out var manifest)
            ? manifest
            : throw new ArgumentException($"{type.Name} has no manifest: add it to {nameof(Manifests)}", nameof(type));

    public static Type TypeOf(string manifest) =>
        ByManifest.TryGetValue(manifest, out var type)
            ? type
            : throw new System.Runtime.Serialization.SerializationException($"Unknown manifest [{manifest}]");

}
