using Gateway.Actors.Backends;
using Gateway.Shared.Messages;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Backends;

/// <summary>
/// The backend's domain logic without an actor: what a command means (refused with the field
/// named, unchanged, created, changed, removed) and how events fold into state.
/// </summary>
public class BackendStateSpecs
{
    private const string Admin = "admin-api";

    [Fact]
    public void BackendState_should_refuse_an_upsert_naming_the_port_when_the_port_is_out_of_range()
    {
        var state = BackendState.Empty("api");

        var (reply, evt) = state.Process(new UpsertBackend(Backend("api", Server("s1", port: 70000)), Admin), 0);

        var rejected = Assert.IsType<BackendRejected>(reply);
        Assert.Equal("api", rejected.BackendName);
        Assert.Contains(rejected.Errors, e => e.Field == "servers[0].port");
        Assert.Null(evt);
    }

    [Fact]
    public void BackendState_should_refuse_an_upsert_naming_the_server_name_when_it_holds_a_newline()
    {
        var state = BackendState.Empty("api");

        var (reply, evt) = state.Process(new UpsertBackend(Backend("api", Server("s1\n    server evil 6.6.6.6:80")), Admin), 0);

        var rejected = Assert.IsType<BackendRejected>(reply);
        Assert.Equal("servers[0].name", Assert.Single(rejected.Errors).Field);
        Assert.Null(evt);
    }

    [Fact]
    public void BackendState_should_refuse_an_upsert_when_the_body_names_another_backend()
    {
        var state = BackendState.Empty("api");

        var (reply, evt) = state.Process(new UpsertBackend(Backend("web"), Admin), 0);

        var rejected = Assert.IsType<BackendRejected>(reply);
        Assert.Equal("name", Assert.Single(rejected.Errors).Field);
        Assert.Null(evt);
    }

    [Fact]
    public void BackendState_should_create_at_the_next_version_when_the_backend_does_not_exist()
    {
        var state = BackendState.Empty("api");

        var (reply, evt) = state.Process(new UpsertBackend(Backend("api"), Admin), 4);

        Assert.Equal(new BackendAccepted("api", 5, Changed: true), reply);
        Assert.Equal(new BackendCreated(Backend("api"), Admin), evt);
    }

    [Fact]
    public void BackendState_should_change_at_the_next_version_when_the_definition_differs()
    {
        var state = BackendState.Empty("api").Apply(new BackendCreated(Backend("api"), Admin));
        var changed = Backend("api", Server("s1", "10.0.0.9"));

        var (reply, evt) = state.Process(new UpsertBackend(changed, "provider:rest"), 1);

        Assert.Equal(new BackendAccepted("api", 2, Changed: true), reply);
        Assert.Equal(new BackendChanged(changed, "provider:rest"), evt);
    }

    [Fact]
    public void BackendState_should_answer_unchanged_at_the_same_version_and_store_nothing_when_the_upsert_equals_the_state()
    {
        var state = BackendState.Empty("api").Apply(new BackendCreated(Backend("api", Server(weight: 3)), Admin));

        // another writer sending the same definition changes nothing either: the source is not part of the state compared
        var (reply, evt) = state.Process(new UpsertBackend(Backend("api", Server(weight: 3)), "provider:rest"), 3);

        Assert.Equal(new BackendAccepted("api", 3, Changed: false), reply);
        Assert.Null(evt);
    }

    [Fact]
    public void BackendState_should_answer_not_found_when_removing_a_backend_that_does_not_exist()
    {
        var state = BackendState.Empty("api");

        var (reply, evt) = state.Process(new RemoveBackend("api", Admin), 0);

        Assert.Equal(new BackendNotFound("api"), reply);
        Assert.Null(evt);
    }

    [Fact]
    public void BackendState_should_delete_at_the_next_version_when_removing_an_existing_backend()
    {
        var state = BackendState.Empty("api").Apply(new BackendCreated(Backend("api"), Admin));

        var (reply, evt) = state.Process(new RemoveBackend("api", Admin), 1);

        Assert.Equal(new BackendRemoved("api", 2), reply);
        Assert.Equal(new BackendDeleted("api", Admin), evt);
    }

    [Fact]
    public void BackendState_should_fold_created_changed_and_deleted_into_the_definition_and_its_last_writer()
    {
        var changed = Backend("api", Server("s2", "10.0.0.2"));

        var created = BackendState.Empty("api").Apply(new BackendCreated(Backend("api"), Admin));
        var updated = created.Apply(new BackendChanged(changed, "provider:file"));
        var deleted = updated.Apply(new BackendDeleted("api", "provider:file"));

        Assert.Equal(Backend("api"), created.Backend);
        Assert.Equal(Admin, created.Source);
        Assert.Equal(changed, updated.Backend);
        Assert.Equal("provider:file", updated.Source);
        Assert.False(deleted.Exists);
        Assert.Null(deleted.Backend);
    }

    [Fact]
    public void BackendState_should_come_back_equal_from_its_snapshot()
    {
        var state = BackendState.Empty("api").Apply(new BackendCreated(Backend("api", Server("s1"), Server("s2", "10.0.0.2")), Admin));

        var restored = BackendState.FromSnapshot("api", state.ToSnapshot());

        Assert.Equal(state, restored);
    }

    [Fact]
    public void BackendState_should_create_again_when_upserting_after_a_delete()
    {
        var state = BackendState.Empty("api")
            .Apply(new BackendCreated(Backend("api"), Admin))
            .Apply(new BackendDeleted("api", Admin));

        var (reply, evt) = state.Process(new UpsertBackend(Backend("api"), Admin), 2);

        Assert.Equal(new BackendAccepted("api", 3, Changed: true), reply);
        Assert.IsType<BackendCreated>(evt);
    }
}
