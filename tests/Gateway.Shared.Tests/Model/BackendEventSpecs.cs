using Gateway.Shared.Model;

namespace Gateway.Shared.Tests.Model;

public class BackendEventSpecs
{
    [Fact]
    public void BackendEvent_should_carry_only_the_name_when_it_is_a_delete()
    {
        var evt = BackendEvent.Delete("api-backend");

        Assert.Equal(BackendEventType.Delete, evt.Type);
        Assert.Equal("api-backend", evt.Backend.Name);
        Assert.Empty(evt.Backend.Servers);
    }

    [Fact]
    public void BackendEvent_should_compare_its_backend_by_value()
    {
        var evt = BackendEvent.Update(Samples.FullyConfigured());

        Assert.Equal(evt, BackendEvent.Update(Samples.FullyConfigured()));
        Assert.NotEqual(evt, BackendEvent.Add(Samples.FullyConfigured()));
    }
}
