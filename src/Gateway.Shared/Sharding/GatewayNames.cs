namespace Gateway.Shared.Sharding;

/// <summary>The names a cluster of Gateway nodes agrees on, for its nodes and for other Akka services that join it.</summary>
public static class GatewayNames
{
    /// <summary>The actor system's name: seed node addresses read <c>akka.tcp://gateway@host:port</c>.</summary>
    public const string SystemName = "gateway";

    /// <summary>The pub/sub topic every persisted change is published on (<c>BackendStateChanged</c>, <c>RoutesStateChanged</c>).</summary>
    public const string ChangesTopic = "gateway-changes";

    /// <summary>The cluster singleton that writes the routes (every node reaches it through its proxy at <c>/user/routes</c>).</summary>
    public const string RoutesSingleton = "routes-writer";

    /// <summary>The cluster singleton that runs the providers (each source polled once per cluster).</summary>
    public const string ProvidersSingleton = "providers";
}
