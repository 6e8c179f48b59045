using System.Threading.Channels;
using Gateway.Shared.Model;
using Gateway.Shared.Providers;

namespace Gateway.Actors.Providers;

/// <summary>The seed's in-memory provider: backends added, changed and removed by code.</summary>
public sealed class SimpleProvider : IBackendProvider
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Backend> _backends = new(StringComparer.Ordinal);
    private ChannelWriter<BackendEvent>? _events;

    public Task StartAsync(ChannelWriter<BackendEvent> events, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _events = events;
            foreach (var backend in _backends.Values)
                Publish(BackendEvent.Add(backend));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            _events = null;
        return Task.CompletedTask;
    }

    public void AddBackend(Backend backend) => Set(backend);

    public void UpdateBackend(Backend backend) => Set(backend);

    public void RemoveBackend(string name)
    {
        lock (_gate)
            if (_backends.Remove(name))
                Publish(BackendEvent.Delete(name));
    }

    public Task<IReadOnlyList<Backend>> GetBackendsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Backend>>([.. _backends.Values]);
    }

    public Task<Backend?> GetBackendAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_backends.GetValueOrDefault(name));
    }

    private void Set(Backend backend)
    {
        lock (_gate)
        {
            var existed = _backends.ContainsKey(backend.Name);
            _backends[backend.Name] = backend;
            Publish(existed ? BackendEvent.Update(backend) : BackendEvent.Add(backend));
        }
    }

    /// <summary>Drops the event if the channel is full rather than blocking the caller; the provider actor drains it quickly.</summary>
    private void Publish(BackendEvent evt)
    {
        if (_events is { } events && !events.TryWrite(evt))
            throw new InvalidOperationException($"Event channel full: {evt.Type} {evt.Backend.Name} not delivered");
    }
}
