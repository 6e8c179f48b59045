using Gateway.Actors.Haproxy;
using Gateway.Actors.Haproxy.Runtime;
using Gateway.Actors.Sync;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Sync;

/// <summary>A round's runtime changes summed for its one log line: servers moved, added, removed, weights and admin states set.</summary>
public class RuntimeTallySpecs
{
    [Fact]
    public void RuntimeTally_should_count_each_kind_of_server_change()
    {
        var api = Backend("api", Server("s1"));
        IReadOnlyList<RuntimeCommand> commands =
        [
            RuntimeCommands.SetAddress("api", "s1", "10.0.0.9", 80), RuntimeCommands.SetAddress("api", "s2", "10.0.0.8", 80),
            RuntimeCommands.SetWeight("api", "s1", 5), RuntimeCommands.SetState("api", "s2", ServerAdminState.Drain),
            .. RuntimeOperations.AddServer(api, Server("s3", "10.0.0.3")),
        ];

        var tally = RuntimeTally.Of(commands, backends: 1, removed: 2);

        Assert.Equal(new RuntimeTally(Commands: 7, Backends: 1, Moved: 2, Added: 1, Removed: 2, Weights: 1, States: 1), tally);
        Assert.True(tally.Changed);
    }

    [Fact]
    public void RuntimeTally_should_not_count_the_steps_of_adding_a_server_as_changes_of_their_own()
    {
        var commands = RuntimeOperations.AddServer(Backend("api"), Server("s2", "10.0.0.2", weight: 3, state: ServerAdminState.Drain));

        var tally = RuntimeTally.Of(commands.ToList(), backends: 1, removed: 0);

        Assert.Equal(3, tally.Commands); // add server, enable health, set state drain
        Assert.Equal((1, 0, 0, 0), (tally.Added, tally.Moved, tally.Weights, tally.States));
    }

    [Fact]
    public void RuntimeTally_should_report_no_change_for_a_round_without_commands_or_removals()
    {
        var tally = RuntimeTally.Of([], backends: 0, removed: 0);

        Assert.False(tally.Changed);
    }

    [Fact]
    public void MapsTally_should_count_the_entries_and_those_answering_503()
    {
        var maps = new RouteMapsContent([new("a.example.com/", RouteMaps.MissingBackend)], [new("/x/", "web"), new("/", "web")]);

        Assert.Equal((3, 1), MapsTally.Of(maps));
    }
}
