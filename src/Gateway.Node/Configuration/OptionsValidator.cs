using Gateway.Shared.Validation;

namespace Gateway.Node.Configuration;

/// <summary>Checks the node's configuration before anything starts; each error names its key.</summary>
public static class OptionsValidator
{
    public static IReadOnlyList<string> Validate(GatewayOptions options)
    {
        var errors = new List<string>();
        void Add(string key, string? message)
        {
            if (message is not null)
                errors.Add($"Gateway:{key}: {message}");
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
            Add("DataDir", "is required");
        foreach (var error in options.Frontend.Validate())
            Add($"Frontend:{error.Field}", error.Message);
        if (options.Manager.SyncPeriod < TimeSpan.FromMilliseconds(100))
            Add("Manager:SyncPeriod", "must be at least 100ms");
        if (options.Manager.EventChanSize is < 1 or > 1_000_000)
            Add("Manager:EventChanSize", "must be 1–1000000");
        if (options.Manager.MinReloadInterval < TimeSpan.Zero)
            Add("Manager:MinReloadInterval", "must not be negative");
        if (options.Manager.ReloadQuietPeriod < TimeSpan.Zero)
            Add("Manager:ReloadQuietPeriod", "must not be negative");
        if (options.Manager.MaxReloadDelay < options.Manager.ReloadQuietPeriod)
            Add("Manager:MaxReloadDelay", "must not be shorter than ReloadQuietPeriod");
        if (string.IsNullOrWhiteSpace(options.Haproxy.Binary))
            Add("Haproxy:Binary", "is required");
        if (options.Persistence.Provider == PersistenceProvider.PostgreSql && string.IsNullOrWhiteSpace(options.Persistence.ConnectionString))
            Add("Persistence:ConnectionString", "is required for PostgreSql");
        if (!Uri.TryCreate(options.Admin.Url, UriKind.Absolute, out var admin) || admin.Scheme is not ("http" or "https"))
            Add("Admin:Url", "must be an absolute http or https URL");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            var key = $"Providers:{i}";
            Add($"{key}:Name", Rules.Name(provider.Name));
            if (!names.Add(provider.Name))
                Add($"{key}:Name", $"duplicates provider '{provider.Name}'");
            if (provider.Interval < TimeSpan.FromMilliseconds(100))
                Add($"{key}:Interval", "must be at least 100ms");
            if (provider.MaxDocumentBytes is < 1024 or > 1024 * 1024 * 1024)
                Add($"{key}:MaxDocumentBytes", "must be 1024–1073741824 (1 KiB to 1 GiB)");
            switch (provider.Type)
            {
                case ProviderType.Rest when !Uri.TryCreate(provider.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"):
                    Add($"{key}:Url", "must be an absolute http or https URL");
                    break;
                case ProviderType.File when string.IsNullOrWhiteSpace(provider.Path):
                    Add($"{key}:Path", "is required");
                    break;
            }
        }
        return errors;
    }
}
