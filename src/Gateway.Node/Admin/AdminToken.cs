using System.Security.Cryptography;
using System.Text;

namespace Gateway.Node.Admin;

/// <summary>
/// The bearer token of the admin API: the configured one, or one the node creates in its data dir
/// (<c>admin.token</c>, mode 600) on first start and reads on every start after.
/// </summary>
public sealed class AdminToken
{
    private readonly byte[] _token;

    private AdminToken(string token, string? file)
    {
        _token = Encoding.UTF8.GetBytes(token);
        File = file;
    }

    /// <summary>Where the token is kept, when the node made it.</summary>
    public string? File { get; }

    public static AdminToken Resolve(string? configured, string dataDir)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return new AdminToken(configured.Trim(), null);
        var path = Path.Combine(dataDir, "admin.token");
        if (!System.IO.File.Exists(path))
        {
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            stream.Write(Encoding.UTF8.GetBytes(token + "\n"));
        }
        return new AdminToken(System.IO.File.ReadAllText(path).Trim(), path);
    }

    /// <summary>Compares in constant time.</summary>
    public bool Matches(string? authorization)
    {
        const string prefix = "Bearer ";
        if (authorization is null || !authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[prefix.Length..].Trim()), _token);
    }
}
