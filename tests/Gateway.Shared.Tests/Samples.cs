using Gateway.Shared.Model;

namespace Gateway.Shared.Tests;

/// <summary>Inputs shared by several specs: the seed's REST document and a backend with every option set.</summary>
internal static class Samples
{
    /// <summary>The seed's "Expected REST API JSON format", as written there.</summary>
    public const string SeedRestJson = """
        {
          "backends": [
            {
              "name": "api-backend",
              "servers": [
                {"name": "srv1", "ip": "10.0.1.10", "port": 8080},
                {"name": "srv2", "ip": "10.0.1.11", "port": 8080}
              ]
            },
            {
              "name": "web-backend",
              "servers": [
                {"name": "web1", "ip": "10.0.2.10", "port": 80}
              ]
            }
          ]
        }
        """;

    public static BackendServer Server(string name = "srv1", string ip = "10.0.1.10", int port = 8080) =>
        new() { Name = name, IP = ip, Port = port };

    public static Backend Backend(string name = "api-backend", params BackendServer[] servers) =>
        new() { Name = name, Servers = servers.Length == 0 ? [Server()] : servers };

    public static Backend FullyConfigured() => new()
    {
        Name = "api-backend",
        Servers =
        [
            new BackendServer { Name = "srv1", IP = "10.0.1.10", Port = 8443, Weight = 10, State = ServerAdminState.Drain },
            new BackendServer { Name = "srv2", IP = "2001:db8::1", Port = 8443, Weight = 0, State = ServerAdminState.Maint },
        ],
        Balance = BalanceAlgorithm.Source,
        Protocol = ServerProtocol.H2,
        Tls = new TlsSettings { Sni = "api.internal.example.com", CaFile = "/etc/ssl/certs/internal-ca.pem", Verify = false },
        HealthCheck = new HealthCheck { Path = "/health?full=1", Interval = TimeSpan.FromMilliseconds(500) },
        KeepClientScheme = true,
        HttpReuse = HttpReuse.Aggressive,
    };
}
