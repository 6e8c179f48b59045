using Gateway.Shared.Model;

namespace Gateway.Shared.Validation;

/// <summary>Checks a <see cref="Backend"/> before it is accepted; every error names its field.</summary>
public static class BackendValidator
{
    public static IReadOnlyList<ValidationError> Validate(Backend backend)
    {
        var errors = new List<ValidationError>();
        Add(errors, "name", Rules.Name(backend.Name));
        if (!Enum.IsDefined(backend.Balance))
            errors.Add(new("balance", "must be one of roundrobin, leastconn, first, random, source"));
        if (!Enum.IsDefined(backend.Protocol))
            errors.Add(new("protocol", "must be one of http1, h2c, h2"));
        if (backend.HttpReuse is { } reuse && !Enum.IsDefined(reuse))
            errors.Add(new("httpReuse", "must be one of never, safe, aggressive, always"));

        if (backend.Servers is null)
            errors.Add(new("servers", "is required"));
        else
            ValidateServers(backend.Servers, errors);

        if (backend.HealthCheck is { } check)
        {
            if (check.Path is not null)
                Add(errors, "healthCheck.path", Rules.Path(check.Path, allowQuery: true));
            Add(errors, "healthCheck.interval", Rules.Interval(check.Interval));
        }

        if (backend.Tls is { } tls)
        {
            if (backend.Protocol != ServerProtocol.H2)
                errors.Add(new("tls", "applies only to protocol h2"));
            if (tls.Sni is not null)
                Add(errors, "tls.sni", Rules.Hostname(tls.Sni, allowWildcard: false));
            if (tls.CaFile is not null)
                Add(errors, "tls.caFile", Rules.FilePath(tls.CaFile));
        }
        return errors;
    }

    /// <summary>A whole document (the seed's REST format): every backend, and no name twice.</summary>
    public static IReadOnlyList<ValidationError> Validate(BackendList list)
    {
        var errors = new List<ValidationError>();
        if (list.Backends is null)
            return [new ValidationError("backends", "is required")];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Backends.Count; i++)
        {
            var field = $"backends[{i}]";
            if (list.Backends[i] is not { } backend)
            {
                errors.Add(new(field, "must be an object"));
                continue;
            }
            errors.AddRange(Validate(backend).Select(e => e.Under(field)));
            if (backend.Name is not null && !seen.Add(backend.Name))
                errors.Add(new($"{field}.name", $"duplicates the backend name '{backend.Name}'"));
        }
        return errors;
    }

    private static void ValidateServers(IReadOnlyList<BackendServer> servers, List<ValidationError> errors)
    {
        if (servers.Count > Rules.MaxServers)
        {
            errors.Add(new("servers", $"must hold at most {Rules.MaxServers} servers"));
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < servers.Count; i++)
        {
            var field = $"servers[{i}]";
            var server = servers[i];
            if (server is null)
            {
                errors.Add(new(field, "must be an object"));
                continue;
            }
            Add(errors, $"{field}.name", Rules.Name(server.Name));
            Add(errors, $"{field}.ip", Rules.IpAddress(server.IP));
            Add(errors, $"{field}.port", Rules.Port(server.Port));
            Add(errors, $"{field}.weight", Rules.Weight(server.Weight));
            if (!Enum.IsDefined(server.State))
                errors.Add(new($"{field}.state", "must be one of ready, drain, maint"));
            if (server.Name is not null && !seen.Add(server.Name))
                errors.Add(new($"{field}.name", $"duplicates the server name '{server.Name}'"));
        }
    }

    internal static void Add(List<ValidationError> errors, string field, string? message)
    {
        if (message is not null)
            errors.Add(new ValidationError(field, message));
    }
}
