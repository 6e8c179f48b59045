using Gateway.Shared.Messages;
using Gateway.Shared.Model;

namespace Gateway.Shared.Tests.Messages;

public class RouteMessagesSpecs
{
    [Fact]
    public void AddBackendRoute_should_read_like_the_seeds_call()
    {
        var command = SetRoute.AddBackendRoute("api.example.com", "/api", "api-backend");

        Assert.Equal(new Route { Host = "api.example.com", Path = "/api", Backend = "api-backend" }, command.Route);
        Assert.Equal("api", command.Source);
    }
}
