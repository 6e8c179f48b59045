using Gateway.Actors.Haproxy;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Actors.Sync;

/// <summary>How a node's HAProxy came up on the recovered state.</summary>
public sealed record StartupOutcome(
    IReadOnlyDictionary<string, VersionedBackend> Applied,
    IReadOnlyDictionary<string, string> Refused,
    HaproxyRunning Running,
    CommitResult Written,
    CommitResult? Reload,
    RouteLookup Lookup);

/// <summary>
/// Brings HAProxy up on the recovered desired state: writes the configuration (leaving out, with
/// the error recorded, any backend <c>haproxy -c</c> refuses), then adopts the running HAProxy or
/// starts one. An HAProxy that already ran — adopted, or started early on the file on disk while
/// the state recovered — is reloaded only if that file differed in more than server lines (those
/// are repaired at runtime by the first reconcile).
/// </summary>
public static class SyncStartup
{
    private const int MaxAttempts = 5;

    public static async Task<StartupOutcome> RunAsync(IReadOnlyDictionary<string, VersionedBackend> desired, IReadOnlyList<Route> routes,
        SyncSettings settings, IHaproxyClient client, CancellationToken cancellationToken, bool alreadyRunning = false)
    {
        var previous = File.Exists(settings.Layout.ConfigPath) ? await File.ReadAllTextAsync(settings.Layout.ConfigPath, cancellationToken).ConfigureAwait(false) : null;
        var target = desired.ToDictionary(StringComparer.Ordinal);
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            var backends = target.Values.Select(v => v.Backend).ToList();
            var config = settings.Render(backends, routes);
            var written = await client.CommitAsync(config, backends, "startup", reload: false, validate: true, cancellationToken).ConfigureAwait(false);
            if (written.Succeeded)
            {
                var running = await client.EnsureRunningAsync(cancellationToken).ConfigureAwait(false);
                CommitResult? reload = null;
                if ((running.Kind == StartKind.Adopted || alreadyRunning) && written.Outcome == CommitOutcome.Written
                    && (previous is null || StructureDiffers(previous, config.Config)))
                    reload = await client.CommitAsync(config, backends, "the running HAProxy serves an older configuration", reload: true,
                        validate: true, cancellationToken).ConfigureAwait(false);
                return new StartupOutcome(target, refused, running, written, reload, RouteLookup.Of(routes));
            }
            var culprits = written.Errors.Select(e => e.Line is { } line ? ConfigSections.BackendAt(config.Config, line) : null)
                .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            if (culprits.Count == 0 || attempt == MaxAttempts)
                throw new InvalidOperationException($"HAProxy refuses the configuration: {string.Join("; ", written.Errors)}");
            foreach (var name in culprits)
            {
                refused[name] = string.Join("; ", written.Errors);
                target.Remove(name);
            }
        }
    }

    /// <summary>True if the two configurations differ in anything but their server lines.</summary>
    public static bool StructureDiffers(string before, string after) =>
        !WithoutServers(before).SequenceEqual(WithoutServers(after));

    private static IEnumerable<string> WithoutServers(string config) =>
        config.Split('\n').Where(l => !l.StartsWith("    server ", StringComparison.Ordinal));
}
