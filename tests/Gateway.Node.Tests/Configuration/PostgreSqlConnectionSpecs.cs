using Npgsql;

namespace Gateway.Node.Tests.Configuration;

/// <summary>A node's PostgreSQL pool stays below the server's connection limit unless the operator sets its own.</summary>
public sealed class PostgreSqlConnectionSpecs
{
    [Fact]
    public void A_connection_string_without_a_pool_size_should_get_the_nodes_smaller_pool() =>
        Assert.Equal(NodeSetup.PostgreSqlPoolSize, new NpgsqlConnectionStringBuilder(NodeSetup.PostgreSqlConnection("Host=db;Username=gw")).MaxPoolSize);

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=7")]
    [InlineData("Host=db;MaxPoolSize=7")]
    [InlineData("Host=db;maximum pool size=7")]
    public void A_pool_size_the_operator_set_should_stand(string connectionString) =>
        Assert.Equal(7, new NpgsqlConnectionStringBuilder(NodeSetup.PostgreSqlConnection(connectionString)).MaxPoolSize);
}
