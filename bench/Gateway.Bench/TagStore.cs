using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;
using Akka.Persistence.Sql.Query;
using Gateway.Actors.Persistence;
using Gateway.Shared.Messages;
using Gateway.Shared.Serialization;
using LinqToDB;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Bench;

/// <summary>How tags are stored: the mode given to <c>WithSqlPersistence</c>, and any journal HOCON beside it.</summary>
public sealed record TagVariant(string Name, TagMode Mode, string Hocon = "");

/// <summary>
/// One journal database (its own SQLite file, or its own database on the bench's PostgreSQL) in one
/// tag mode, and actor systems configured as the node configures its own: hocon/gateway.conf, the
/// journal tuning file of that database, the Gateway serializer, <c>WithSqlPersistence</c>.
/// </summary>
public sealed class TagStore(string database, TagVariant variant, string connectionString, string providerName)
{
    private static int _systems;

    public string Database { get; } = database;
    public TagVariant Variant { get; } = variant;
    public string Name => $"{Database} {Variant.Name}";
    public bool IsSqlite => providerName == ProviderName.SQLiteMS;

    /// <summary>A WAL-mode SQLite file in <paramref name="dir"/>, as the node's data dir holds it.</summary>
    public static TagStore Sqlite(string dir, TagVariant variant)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, $"journal-{variant.Name}.db"), DefaultTimeout = 30 }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        wal.ExecuteNonQuery();
        return new TagStore("SQLite", variant, connectionString, ProviderName.SQLiteMS);
    }

    /// <summary>
    /// A database of its own on the bench's PostgreSQL server. Npgsql pools up to 100 connections per
    /// connection string, as many as the server's default max_connections: 200 writers recovering at
    /// once in two databases took them all ("too many clients already"), so each gets its share.
    /// </summary>
    public static async Task<TagStore> PostgresAsync(string serverConnectionString, TagVariant variant, int maxPoolSize)
    {
        var name = "tags_" + variant.Name.ToLowerInvariant().Replace('+', '_');
        await using (var connection = new Npgsql.NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = $"CREATE DATABASE {name}";
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name, MaxPoolSize = maxPoolSize }.ToString();
        return new TagStore("PostgreSQL", variant, connectionString, ProviderName.PostgreSQL15);
    }

    private DataOptions DataOptions
    {
        get
        {
            var options = new DataOptions().UseConnectionString(providerName, connectionString);
            return IsSqlite ? options.UseInterceptor(new SqliteJournalConnection()) : options;
        }
    }

    /// <summary>Starts an actor system on this journal; <paramref name="hocon"/> (query settings) is appended like the node's hocon/ files.</summary>
    public async Task<IHost> StartAsync(string hocon = "")
    {
        var root = TagBench.RepoRoot();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka($"tags-{Interlocked.Increment(ref _systems)}", (akka, _) => akka
            .ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel)
            .AddHoconFile(Path.Combine(root, "hocon", "gateway.conf"), HoconAddMode.Append)
            .AddHoconFile(Path.Combine(root, "hocon", IsSqlite ? "journal-sqlite.conf" : "journal-postgresql.conf"), HoconAddMode.Append)
            .AddHocon(Variant.Hocon + "\n" + hocon, HoconAddMode.Append)
            .WithCustomSerializer(GatewaySerializer.Name, [typeof(IGatewayMessage)], system => new GatewaySerializer(system))
            .WithSqlPersistence(DataOptions, autoInitialize: true, tagStorageMode: Variant.Mode));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static ActorSystem System(IHost host) => host.Services.GetRequiredService<ActorSystem>();

    public static SqlReadJournal ReadJournal(IHost host) =>
        PersistenceQuery.Get(System(host)).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    /// <summary>The highest ordering in the journal table (default table mapping): where the tag ends.</summary>
    public async Task<long> MaxOrderingAsync()
    {
        await using var connection = IsSqlite ? (global::System.Data.Common.DbConnection)new SqliteConnection(connectionString) : new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var max = connection.CreateCommand();
        max.CommandText = "SELECT MAX(ordering) FROM journal";
        return Convert.ToInt64(await max.ExecuteScalarAsync(), global::System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What the journal takes on disk: the SQLite file with its WAL, or the PostgreSQL database.</summary>
    public async Task<long> SizeBytesAsync()
    {
        if (IsSqlite)
        {
            var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
            return new[] { file, file + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        }
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var size = connection.CreateCommand();
        size.CommandText = "SELECT pg_database_size(current_database())";
        return (long)(await size.ExecuteScalarAsync())!;
    }
}
