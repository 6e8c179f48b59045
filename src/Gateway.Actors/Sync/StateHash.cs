using System.Security.Cryptography;
using System.Text;

namespace Gateway.Actors.Sync;

/// <summary>
/// A short hash of a state given as backend versions and the routes' version. Versions are journal
/// sequence numbers, the same on every node, and a version stands for one definition (one writer):
/// two nodes that hold the same desired state — whatever their local ports and paths — have the
/// same hash, and a node whose HAProxy serves all of it has an applied hash equal to it.
/// </summary>
public static class StateHash
{
    public static string Of(IEnumerable<KeyValuePair<string, long>> backends, long routesVersion)
    {
        var text = new StringBuilder().Append("routes ").Append(routesVersion).Append('\n');
        foreach (var (name, version) in backends.OrderBy(b => b.Key, StringComparer.Ordinal))
            text.Append(name).Append(' ').Append(version).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
