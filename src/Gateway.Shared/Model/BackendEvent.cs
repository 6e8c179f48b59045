namespace Gateway.Shared.Model;

/// <summary>
/// What a provider reports: the seed's <c>BackendEvent { Type, Backend }</c>. For DELETE only the
/// backend's name is read.
/// </summary>
public sealed record BackendEvent(BackendEventType Type, Backend Backend) : Messages.IGatewayMessage
{
    public static BackendEvent Add(Backend backend) => new(BackendEventType.Add, backend);
    public static BackendEvent Update(Backend backend) => new(BackendEventType.Update, backend);
    public static BackendEvent Delete(string name) => new(BackendEventType.Delete, new Backend { Name = name });
}
