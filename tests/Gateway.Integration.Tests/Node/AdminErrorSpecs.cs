using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Integration.Tests.Node;

/// <summary>
/// Every error of the admin API is RFC 7807 problem details, logged with its request: bodies a fuzzer
/// found to answer an empty 500, fields the backend does not know, unknown paths and methods.
/// </summary>
public sealed class AdminErrorSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private NodeProcess Node => fixture.Node;

    /// <summary>
    /// Bodies without a name (the URL names the backend) that answered 500 with an empty body: the
    /// body was parsed again, strictly and outside the error handling, to add the name. Gateway's JSON
    /// dialect takes comments and trailing commas (as POST does); the rest is refused with 400.
    /// </summary>
    public static TheoryData<string, byte[], HttpStatusCode> NamelessBodies => new()
    {
        { "trailing comma", Encoding.UTF8.GetBytes("""{"servers":[],}"""), HttpStatusCode.OK },
        { "comments", Encoding.UTF8.GetBytes("/* x { */ {\"servers\":[] // y\n}"), HttpStatusCode.OK },
        { "duplicate keys", Encoding.UTF8.GetBytes("""{"servers":[],"servers":[]}"""), HttpStatusCode.BadRequest },
        { "lone surrogate", Encoding.UTF8.GetBytes("""{"servers":[],"balance":"\ud800"}"""), HttpStatusCode.BadRequest },
        { "invalid UTF-8", [.. Encoding.UTF8.GetBytes("""{"servers":[],"balance":" """), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")], HttpStatusCode.BadRequest },
        { "trailing content", Encoding.UTF8.GetBytes("""{"servers":[]} {"x":1}"""), HttpStatusCode.BadRequest },
        { "trailing bytes", [.. Encoding.UTF8.GetBytes("""{"servers":[]}"""), 0xFF, 0xFE], HttpStatusCode.BadRequest },
        { "lone surrogate in an unknown field", Encoding.UTF8.GetBytes("""{"servers":[],"note":"\ud800"}"""), HttpStatusCode.BadRequest },
        { "duplicate unknown fields", Encoding.UTF8.GetBytes("""{"servers":[],"note":1,"note":2}"""), HttpStatusCode.BadRequest },
        { "invalid UTF-8 in an unknown field", [.. Encoding.UTF8.GetBytes("""{"servers":[],"note":" """), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")], HttpStatusCode.BadRequest },
        { "not an object", Encoding.UTF8.GetBytes("[1,2]"), HttpStatusCode.BadRequest },
        { "empty", [], HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(NamelessBodies))]
    public async Task Put_backend_should_answer_a_body_without_a_name_like_the_rest_of_the_api(string kind, byte[] body, HttpStatusCode expected)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var name = "fuzzed-" + string.Concat(kind.Where(char.IsLetter));

        using var response = await Node.Admin.PutAsync($"/api/backends/{name}", content);

        Assert.True(response.StatusCode == expected, $"{kind}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (expected != HttpStatusCode.OK)
            await AssertProblem(response);
    }

    [Fact]
    public async Task Backend_with_an_unknown_field_should_be_refused_naming_it()
    {
        using var response = await Node.PutJsonAsync("/api/backends/typo",
            """{"servers":[{"name":"s1","ip":"127.0.0.1","port":3000,"wieght":5}],"protocl":"h2c"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await AssertProblem(response)).GetProperty("errors");
        Assert.Contains("did you mean 'protocol'", errors.GetProperty("protocl")[0].GetString());
        Assert.Contains("did you mean 'weight'", errors.GetProperty("servers[0].wieght")[0].GetString());
        using var missing = await Node.Admin.GetAsync("/api/backends/typo");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Unknown_paths_and_methods_should_answer_problem_details()
    {
        using var path = await Node.Admin.GetAsync("/api/nothing-here");
        using var method = await Node.Admin.PatchAsync("/api/routes", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, path.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        await AssertProblem(path);
        await AssertProblem(method);
    }

    [Fact]
    public async Task Refused_requests_should_be_logged_with_the_request_and_the_reason()
    {
        using var response = await Node.PutJsonAsync("/api/backends/logged", """{"servers":[{"name":"s1","ip":"127.0.0.1","port":70000}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await Eventually.True(() => Task.FromResult(Node.Output.Contains(
                "Admin API answered [PUT /api/backends/logged] with [400]: servers[0].port: must be 1–65535")), TimeSpan.FromSeconds(10),
            "the refusal in the log");
    }

    [Fact]
    public async Task Route_to_a_missing_backend_should_be_stored_with_a_warning()
    {
        using var response = await Node.PutJsonAsync("/api/routes", """{"host":"","path":"/nowhere","backend":"not-there"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("backend 'not-there' does not exist", body.GetProperty("warnings")[0].GetString());
    }

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }
}
