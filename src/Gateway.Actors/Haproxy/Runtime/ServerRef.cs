namespace Gateway.Actors.Haproxy.Runtime;

/// <summary>A server of a backend, by name.</summary>
public readonly record struct ServerRef(string Backend, string Server)
{
    public override string ToString() => $"{Backend}/{Server}";
}
