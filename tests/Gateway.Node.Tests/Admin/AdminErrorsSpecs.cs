using System.Net;
using System.Text.Json;
using Akka.Actor;
using Gateway.Actors.Cluster;
using Gateway.Node.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.Admin;

/// <summary>
/// The admin API's error handling on a real Kestrel (loopback, a free port): an exception nobody
/// expected is logged with its request and answered 500 with a problem body, an actor that does not
/// answer in time is a 503, never an empty body.
/// </summary>
public sealed class AdminErrorsSpecs : IAsyncLifetime
{
    private readonly List<string> _logged = [];
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(new ListLogger(_logged));
        _app = builder.Build();
        _app.UseAdminErrors();
        _app.MapGet("/boom", string () => throw new InvalidOperationException("a bug"));
        _app.MapGet("/slow", string () => throw new AskTimeoutException("Timeout after 00:00:10 seconds"));
        _app.MapPut("/slow", string () => throw new AskTimeoutException("Timeout after 00:00:10 seconds"));
        _app.MapGet("/not-served", () => Problems.NotServed(new ServedReport(
            [new NodeServed("akka.tcp://gateway@127.0.0.1:1", true, null), new NodeServed("akka.tcp://gateway@127.0.0.1:2", false, "did not answer within 35 s")],
            ["akka.tcp://gateway@127.0.0.1:3"], Clustered: true)));
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Unexpected_exception_should_be_logged_with_its_request_and_answered_500_with_a_problem()
    {
        using var response = await _client.GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var problem = await Problem(response);
        Assert.Contains("InvalidOperationException", problem.GetProperty("detail").GetString());
        Assert.Single(_logged, line => line.Contains("Admin API failed on [GET /boom]"));
        Assert.DoesNotContain(_logged, line => line.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase)); // logged once, by the handler
    }

    [Fact]
    public async Task Actor_that_does_not_answer_in_time_should_be_a_503_problem()
    {
        using var response = await _client.GetAsync("/slow");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var detail = (await Problem(response)).GetProperty("detail").GetString();
        Assert.Contains("try again", detail);
        Assert.DoesNotContain("may still be stored", detail);
        // a busy node is a warning line, not an error with a stack trace
        Assert.Single(_logged, line => line.Contains("Admin API answered [GET /slow] with [503]"));
        Assert.DoesNotContain(_logged, line => line.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Change_that_gets_no_answer_in_time_should_be_a_503_saying_it_may_still_be_stored()
    {
        using var response = await _client.PutAsync("/slow", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("the change may still be stored", (await Problem(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Change_not_served_by_every_node_should_be_a_502_problem_naming_each_node_and_why()
    {
        using var response = await _client.GetAsync("/not-served");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await Problem(response);
        Assert.Equal("Served by 1 of 2 reachable nodes; not by akka.tcp://gateway@127.0.0.1:2 (did not answer within 35 s)",
            problem.GetProperty("detail").GetString());
        Assert.Equal([true, false], problem.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("served").GetBoolean()));
        Assert.Equal("akka.tcp://gateway@127.0.0.1:3", problem.GetProperty("unreachable")[0].GetString());
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>Keeps what is logged, to see that a failure names its request.</summary>
    private sealed class ListLogger(List<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
                lines.Add(formatter(state, exception));
        }

        public void Dispose()
        {
        }
    }
}
