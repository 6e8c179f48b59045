using Gateway.Shared.Model;

namespace Gateway.Actors.Providers;

/// <summary>
/// The seed's REST provider: polls a URL serving <c>{"backends":[…]}</c> and reports the
/// differences between successive snapshots. HTTP errors, timeouts and malformed or invalid
/// documents fail the fetch (nothing is deleted because the source was unreachable).
/// </summary>
public sealed class RestBackendProvider(Uri url, TimeSpan interval, HttpClient http)
    : PollingProvider(interval, cancellationToken => FetchAsync(http, url, cancellationToken))
{
    public Uri Url => url;

    private static async Task<IReadOnlyList<Backend>> FetchAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return SourceDocument.Parse(body, url.ToString());
    }
}
