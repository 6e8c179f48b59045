using Akka.Configuration;

namespace Gateway.Actors.Tests.Support;

/// <summary>An actor system's configuration with an Akka.Persistence.Sql journal on PostgreSQL, and Gateway's messages bound to its serializer as in the node.</summary>
internal static class PostgresJournalConfig
{
    public const string GatewayJournal = "Gateway.Actors.Persistence.GatewayWriteJournal, Gateway.Actors";

    /// <param name="journalClass">The journal's class: Gateway's writer, or Akka.Persistence.Sql's own to compare with.</param>
    /// <param name="autoInitialize">Whether the journal creates its tables at start (off where the database is not there).</param>
    public static Config For(string connectionString, string journalClass = GatewayJournal, bool autoInitialize = true) =>
        ConfigurationFactory.ParseString($$"""
            akka.actor {
              serializers.gateway-json = "Gateway.Shared.Serialization.GatewaySerializer, Gateway.Shared"
              serialization-bindings { "Gateway.Shared.Messages.IGatewayMessage, Gateway.Shared" = gateway-json }
            }
            akka.persistence.journal {
              plugin = "akka.persistence.journal.sql"
              sql {
                class = "{{journalClass}}"
                connection-string = "{{connectionString}}"
                provider-name = "{{LinqToDB.ProviderName.PostgreSQL15}}"
                tag-write-mode = Csv
                auto-initialize = {{(autoInitialize ? "on" : "off")}}
              }
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
}
