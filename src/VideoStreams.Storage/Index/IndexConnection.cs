using System.Data;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace VideoStreams.Storage.Index;

/// <summary>
/// One SQLite connection with its prepared statements. Not thread-safe: the writer is used under the index's write
/// lock, and each reader is rented by one thread at a time.
/// </summary>
internal sealed partial class IndexConnection : IDisposable
{
    private readonly SqliteCommand?[] _commands = new SqliteCommand?[Statements.Count];
    private readonly RawStatement?[] _raw = new RawStatement?[Statements.Count];
    private SqliteTransaction? _transaction;

    public IndexConnection(string path, StorageIndexOptions options, bool writer)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // Connections here live as long as the index; pooling would only keep files open after Dispose.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        };
        Connection = new SqliteConnection(builder.ToString());
        Connection.Open();
        Execute($"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}");
        Execute($"PRAGMA mmap_size = {options.MmapSizeBytes}");
        Execute("PRAGMA temp_store = MEMORY");
        if (!writer)
        {
            Execute("PRAGMA query_only = 1");
        }
    }

    public SqliteConnection Connection { get; }

    /// <summary>The statement, prepared on first use, enlisted in the open transaction if there is one.</summary>
    public SqliteCommand Command(Statement statement)
    {
        var command = _commands[(int)statement] ??= Prepare(statement);
        command.Transaction = _transaction;
        return command;
    }

    /// <summary>The statement prepared on the native handle, for the few run thousands of times per transaction.</summary>
    public RawStatement Raw(Statement statement) =>
        _raw[(int)statement] ??= new RawStatement(Connection, Statements.Text(statement));

    /// <summary>Starts a transaction: IMMEDIATE for writes (takes the write lock now), deferred for consistent reads.</summary>
    public TransactionScope Begin(bool write)
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("A transaction is already open on this connection.");
        }

        _transaction = Connection.BeginTransaction(IsolationLevel.Serializable, deferred: !write);
        return new TransactionScope(this);
    }

    public void Execute(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        command.ExecuteNonQuery();
    }

    public object? Scalar(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        _transaction?.Dispose();
        _transaction = null;
        foreach (var command in _commands)
        {
            command?.Dispose();
        }

        foreach (var statement in _raw)
        {
            statement?.Dispose();
        }

        Connection.Dispose();
    }

    private SqliteCommand Prepare(Statement statement)
    {
        var text = Statements.Text(statement);
        var command = Connection.CreateCommand();
        command.CommandText = text;
        foreach (var name in ParameterName().Matches(text).Select(m => m.Value).Distinct())
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        command.Prepare();
        return command;
    }

    [GeneratedRegex(@"\$[a-z_]+")]
    private static partial Regex ParameterName();

    /// <summary>Ends the connection's transaction: committed by <see cref="Commit"/>, else rolled back on dispose.</summary>
    internal readonly struct TransactionScope(IndexConnection owner) : IDisposable
    {
        public void Commit()
        {
            owner._transaction!.Commit();
            owner._transaction.Dispose();
            owner._transaction = null;
        }

        public void Dispose()
        {
            if (owner._transaction is { } open)
            {
                owner._transaction = null;
                open.Rollback();
                open.Dispose();
            }
        }
    }
}
