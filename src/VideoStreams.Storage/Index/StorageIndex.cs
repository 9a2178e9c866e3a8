using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VideoStreams.Storage.Index;

/// <summary>
/// The SQLite index of streams, log chunks and fragments. The log files are the source of truth; this index makes
/// them findable by number and by time in milliseconds, and can be rebuilt from them.
/// </summary>
/// <remarks>
/// Threading: one writer connection serialised by a lock (the commit thread, the catalog, retention all write through
/// it), and a pool of reader connections rented per call, so any number of threads may query concurrently. In WAL
/// mode readers never wait for the writer and each statement sees the last committed transaction.
/// </remarks>
public sealed partial class StorageIndex : IDisposable
{
    /// <summary>The schema this build writes and reads.</summary>
    public const int SchemaVersion = 1;

    private readonly string _path;
    private readonly StorageIndexOptions _options;
    private readonly IndexConnection _writer;
    private readonly Lock _writeLock = new();
    private readonly ConcurrentBag<IndexConnection> _readers = [];
    private readonly long _toleranceMs;
    private readonly ILogger _logger;
    private long _maxDurationMs;
    private volatile bool _disposed;

    /// <summary>Opens (or creates) the index database at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="options">Tuning; defaults suit a server.</param>
    /// <param name="logger">Logs background checkpoint failures.</param>
    /// <exception cref="StorageIndexException">The schema is newer than this build, or WAL mode could not be set.</exception>
    public StorageIndex(string path, StorageIndexOptions? options = null, ILogger<StorageIndex>? logger = null)
    {
        _path = Path.GetFullPath(path);
        _options = options ?? new StorageIndexOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _writer = new IndexConnection(_path, _options, writer: true);
        try
        {
            ConfigureDurability(_writer);
            EnsureSchema(_writer, _options);
            _toleranceMs = ReadMeta(_writer, MetaKeys.CoverageToleranceMs) ?? _options.CoverageToleranceMs;
            _maxDurationMs = ReadMeta(_writer, MetaKeys.MaxDurationMs) ?? 0;
            StartCheckpoints();
        }
        catch
        {
            _writer.Dispose();
            throw;
        }
    }

    /// <summary>The database file.</summary>
    public string DatabasePath => _path;

    /// <summary>Coverage runs merge fragments whose gap is at most this (see <see cref="StorageIndexOptions.CoverageToleranceMs"/>).</summary>
    public long CoverageToleranceMs => _toleranceMs;

    /// <summary>Closes every connection. Queries running on other threads finish first on their own connections.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        StopCheckpoints();
        lock (_writeLock)
        {
            _writer.Dispose();
        }

        DrainReaders();
    }

    private ReaderLease RentReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ReaderLease(this, _readers.TryTake(out var reader) ? reader : new IndexConnection(_path, _options, writer: false));
    }

    private void ReturnReader(IndexConnection reader)
    {
        if (_disposed || _readers.Count >= _options.ReaderPoolSize)
        {
            reader.Dispose();
            return;
        }

        _readers.Add(reader);
        if (_disposed)
        {
            DrainReaders();
        }
    }

    private void DrainReaders()
    {
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private IndexConnection Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writer;
    }

    /// <summary>A reader connection rented for one call; returned to the pool on dispose.</summary>
    private readonly struct ReaderLease(StorageIndex owner, IndexConnection connection) : IDisposable
    {
        public IndexConnection Connection { get; } = connection;

        public void Dispose() => owner.ReturnReader(Connection);
    }
}
