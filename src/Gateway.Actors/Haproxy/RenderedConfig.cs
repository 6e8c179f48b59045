using System.Security.Cryptography;
using System.Text;

namespace Gateway.Actors.Haproxy;

/// <summary>
/// The files that make up one HAProxy configuration: <c>haproxy.cfg</c> and the two route maps.
/// <see cref="Hash"/> covers all three, so equal hashes mean nothing to write or reload.
/// </summary>
public sealed record RenderedConfig(string Config, string HostPathMap, string PathMap)
{
    private string? _hash;

    public string Hash => _hash ??= ComputeHash();

    private string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in new[] { Config, HostPathMap, PathMap })
        {
            sha.AppendData(Encoding.UTF8.GetBytes(part));
            sha.AppendData([0]);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}
