namespace Gateway.Shared.Model;

/// <summary>
/// The seed's REST document: <c>{"backends":[…]}</c>. The list is required: a source whose document
/// lacks it (a typo such as <c>"backend"</c>) must fail the fetch, not read as "no backends" and
/// delete everything that source reported; a source with none serves <c>{"backends":[]}</c>.
/// </summary>
public sealed record BackendList
{
    public required IReadOnlyList<Backend> Backends { get; init; }
}
