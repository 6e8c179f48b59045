namespace Gateway.Actors.Providers;

/// <summary>
/// The seed's REST provider: polls a URL serving <c>{"backends":[…]}</c> and reports the
/// differences between successive snapshots. HTTP errors, timeouts, documents larger than
/// <see cref="MaxDocumentBytes"/> and malformed or invalid documents fail the fetch (nothing is
/// deleted because the source was unreachable or refused).
/// </summary>
public sealed class RestBackendProvider(Uri url, TimeSpan interval, HttpClient http, long maxDocumentBytes = SourceDocument.DefaultMaxBytes)
    : PollingProvider(interval, cancellationToken => FetchAsync(http, url, maxDocumentBytes, cancellationToken))
{
    public Uri Url => url;

    public long MaxDocumentBytes => maxDocumentBytes;

    private static async Task<SourceSnapshot> FetchAsync(HttpClient http, Uri url, long maxBytes, CancellationToken cancellationToken)
    {
        // Headers only: the body is read here, within the limit, instead of buffered whole by HttpClient.
        var started = TimeProvider.System.GetTimestamp();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        if (response.Content.Headers.ContentLength > maxBytes)
            throw SourceDocument.TooLarge(url.ToString(), maxBytes);

        // HttpClient.Timeout ended with the headers: the body gets what is left of it, so a trickling source times out too.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var left = http.Timeout - TimeProvider.System.GetElapsedTime(started);
        if (http.Timeout != Timeout.InfiniteTimeSpan)
            deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            var document = await SourceDocument.ReadAsync(body, maxBytes, url.ToString(), deadline.Token).ConfigureAwait(false);
            return SourceDocument.Parse(document, url.ToString());
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{url}: the document was not read within HttpClient.Timeout of [{http.Timeout.TotalSeconds}] s");
        }
    }
}
