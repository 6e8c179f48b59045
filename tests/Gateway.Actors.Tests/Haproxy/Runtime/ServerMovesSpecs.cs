using Gateway.Actors.Haproxy.Runtime;
using Gateway.Shared.Model;
using static Gateway.Actors.Tests.Haproxy.Given;

namespace Gateway.Actors.Tests.Haproxy.Runtime;

/// <summary>Which servers that change address hold connections: asked per backend, or of all backends at once when a large share of them move.</summary>
public class ServerMovesSpecs
{
    private const string Header =
        "# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[2]\n";

    [Fact]
    public void ServerMoves_should_ask_each_moving_backend_and_every_backend_at_once_when_a_fifth_or_more_move()
    {
        const int served = 5_000;
        var few = Moves(served / ServerMoves.WholeDumpShare - 1);
        var many = Moves(served / ServerMoves.WholeDumpShare);

        var (perBackend, whole) = (ServerMoves.Queries(few, served), ServerMoves.Queries(many, served));

        Assert.Equal(few.Select(m => $"show servers conn {m.Backend}"), perBackend.Select(c => c.Text));
        Assert.Equal(["show servers conn"], whole.Select(c => c.Text));
        Assert.Equal(["show servers conn"], ServerMoves.Queries(Moves(1), served: 3).Select(c => c.Text));
    }

    [Fact]
    public void ServerMoves_should_count_a_server_as_connected_unless_HAProxy_listed_it_without_connections()
    {
        var moves = Moves(4);
        var dump = Header
                   + "b0/s1 3/1 127.0.0.1 1 - 5000 0 0 0 0 0 -1 0 0 0\n" // none: moves directly
                   + "b1/s1 3/1 127.0.0.1 1 - 5000 1 1 0 0 0 -1 0 0 0\n" // one in use
                   + "b2/s1 3/1 127.0.0.1 1 - 5000 0 0 0 0 0 -1 2 2 0\n"; // idle ones: HAProxy may reuse them
        var replies = new[] { new RuntimeReply(ServerMoves.Queries(moves, served: 4)[0], dump, true) }; // b3 not listed

        var connected = ServerMoves.Connected(moves, replies);

        Assert.Equal(["b1", "b2", "b3"], connected.Select(m => m.Backend).Order(StringComparer.Ordinal));
        Assert.True(ServerMoves.Connected(moves, [RuntimeReply.Failed(replies[0].Command, "Can't find backend.")]).SetEquals(moves));
    }

    private static List<ServerMove> Moves(int backends) =>
        Enumerable.Range(0, backends).Select(i => ServerMoves.Plan(Backend($"b{i}", Server("s1", "10.0.0.1")),
            new RuntimeOperations.ServerSettings("10.0.0.1", 8080, 1, ServerAdminState.Ready), Server("s1", "10.0.0.2"), "s1:moving")).ToList();
}
