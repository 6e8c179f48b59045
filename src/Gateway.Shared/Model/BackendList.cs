namespace Gateway.Shared.Model;

/// <summary>The seed's REST document: <c>{"backends":[…]}</c>.</summary>
public sealed record BackendList
{
    public IReadOnlyList<Backend> Backends { get; init; } = [];
}
