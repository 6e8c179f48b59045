using Gateway.Shared.Model;

namespace Gateway.Shared.Messages;

/// <summary>Asks a node's HAProxy sync for its status. Replies <see cref="SyncStatus"/>.</summary>
public sealed record GetSyncStatus : IGatewayMessage
{
    public static readonly GetSyncStatus Instance = new();
}

/// <summary>Desired and applied version of one backend on this node's HAProxy.</summary>
public sealed record BackendSyncState(long Desired, long? Applied, string? Error);

/// <summary>What a node's HAProxy serves compared with the desired state, and how it got there.</summary>
public sealed record SyncStatus(
    bool Ready,
    long Reloads,
    long RuntimeCommands,
    string? ConfigHash,
    string? LastReloadReason,
    string? LastError,
    int? HaproxyPid,
    string? HaproxyVersion,
    long RoutesDesired,
    long RoutesApplied,
    int PendingServerRemovals,
    IReadOnlyDictionary<string, BackendSyncState> Backends) : IGatewayMessage
{
    /// <summary>Routes whose backend is not in the desired state: they answer 503 until it exists.</summary>
    public IReadOnlyList<Route> DanglingRoutes { get; init; } = [];

    /// <summary>A hash of the desired backends' and routes' versions: equal on every node that holds the same state.</summary>
    public string DesiredHash { get; init; } = "";

    /// <summary>The same hash of what this node's HAProxy serves: equal to <see cref="DesiredHash"/> once it serves all of it.</summary>
    public string AppliedHash { get; init; } = "";

    /// <summary>Backends (and the routes) this node's HAProxy does not serve at their newest version yet.</summary>
    public int Behind { get; init; }

    /// <summary>
    /// Backends with a server moved by a twin whose move is not finished: the old one waits for its
    /// requests in flight (up to MoveDrainWait), and the backend's later changes wait for it.
    /// </summary>
    public IReadOnlyList<string> FinishingMoves { get; init; } = [];

    /// <summary>When <see cref="LastError"/> happened (UTC): an error from before <see cref="ConsecutiveFailures"/> went back to 0 is history.</summary>
    public DateTime? LastErrorAt { get; init; }

    /// <summary>Rounds that threw in a row (a config that cannot be written, HAProxy's socket gone): 0 once one ran to its end.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the sync tries again after them (UTC); null when none failed.</summary>
    public DateTime? NextAttempt { get; init; }
}

/// <summary>Asks a node's HAProxy sync for its <see cref="SyncSummary"/>: the few facts it shares with the cluster.</summary>
public sealed record GetSyncSummary : IGatewayMessage
{
    public static readonly GetSyncSummary Instance = new();
}

/// <summary>What a node tells the cluster about its HAProxy: whether it has converged, and its last reload and error.</summary>
public sealed record SyncSummary(bool Ready, string DesiredHash, string AppliedHash, int Behind, string? LastReloadReason, string? LastError) : IGatewayMessage
{
    /// <summary>When <see cref="LastError"/> happened (UTC).</summary>
    public DateTime? LastErrorAt { get; init; }
}

/// <summary>
/// Replies <see cref="AppliedOk"/> once this node's HAProxy serves <see cref="BackendName"/> at
/// <see cref="Version"/> or later (or its deletion), <see cref="ApplyFailed"/> if HAProxy refused
/// it, or when <see cref="Timeout"/> passes.
/// </summary>
public sealed record AwaitApplied(string BackendName, long Version, TimeSpan Timeout) : IGatewayMessage;

/// <summary>Replies <see cref="AppliedOk"/> once the routes at <see cref="Version"/> or later are served.</summary>
public sealed record AwaitRoutesApplied(long Version, TimeSpan Timeout) : IGatewayMessage;

public sealed record AppliedOk(long Version) : IGatewayMessage;

public sealed record ApplyFailed(string Reason) : IGatewayMessage;

/// <summary>One node's summary as the cluster shares it: its address, what its HAProxy serves, and when it said so.</summary>
public sealed record NodeSummary(string Address, SyncSummary Sync, DateTime UpdatedAt) : IGatewayMessage;
