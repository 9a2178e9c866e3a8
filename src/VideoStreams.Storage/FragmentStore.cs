using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Format;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;
using VideoStreams.Storage.Log;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage;

/// <summary>
/// The durable fragment store. Fragments of every stream are appended to shared logs (one per retention class) and
/// indexed in SQLite; <see cref="Append"/> returns at once with the fragment's number, and the fragment is PERSISTED
/// when a group commit has synced the logs it touched and committed its index row. The logs are the source of truth:
/// opening the store re-indexes whatever the index missed and cuts torn tails (see docs/STORAGE.md).
/// </summary>
public sealed partial class FragmentStore : IDisposable
{
    private readonly FragmentStoreOptions _options;
    private readonly IStorageFileSystem _files;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChunkRegistry _chunks;
    private readonly Dictionary<string, FragmentLog> _logs = [];
    private readonly ConcurrentDictionary<long, StreamRecord> _streams = new();
    private readonly Lock _appendLock = new();
    private FragmentLog _control = null!;
    private long _nextChunkId = 1;
    private long _nextNumber = 1;
    private long _reservedEnd;
    private long _controlSequence;
    private bool _disposed;

    private readonly StoreMetrics _metrics;
    private readonly IFragmentSealer _sealer;
    private readonly DataKeyRing? _dataKeys;
    private readonly MasterKeyRing _masterKeys;

    private FragmentStore(FragmentStoreOptions options, IStorageFileSystem files, TimeProvider time, ILogger logger, IMeterFactory? meterFactory)
    {
        _metrics = new StoreMetrics(meterFactory);
        _options = options;
        _files = files;
        _time = time;
        _logger = logger;
        _chunks = new ChunkRegistry(files);
        options.Encryption.Validate();
        _masterKeys = new MasterKeyRing(options.Encryption, files, logger);
        if (options.Encryption.Enabled)
        {
            _dataKeys = new DataKeyRing(_masterKeys, options.Encryption, key => AppendControl(ControlRecords.DataKey(++_controlSequence, key)), SyncControl, logger);
            _sealer = _dataKeys;
        }
        else
        {
            _sealer = PlainSealer.Instance;
        }

        Index = new StorageIndex(Path.Combine(options.DataDirectory, LogLayout.IndexFile));
        _commitThread = new Thread(CommitLoop) { IsBackground = true, Name = "store commit" };
    }

    /// <summary>The index: look-ups by number and time, extents, gaps.</summary>
    public StorageIndex Index { get; }

    /// <summary>Streams: create, describe, list, update, tag, delete (KVS semantics).</summary>
    public StreamCatalog Streams { get; private set; } = null!;

    /// <summary>What recovery did when the store was opened.</summary>
    public RecoveryReport Recovery { get; private set; } = null!;

    /// <summary>Raised on the commit thread for each fragment once it is PERSISTED. Handlers must be quick.</summary>
    public event Action<FragmentEntry>? FragmentCommitted;

    /// <summary>
    /// Raised on the appending thread when an append fails because the disk is full (the retention service listens, to
    /// make room at once rather than at its next check). Handlers must be quick.
    /// </summary>
    public event Action? DiskFull;

    /// <summary>Opens (or creates) the store in <see cref="FragmentStoreOptions.DataDirectory"/> and recovers it.</summary>
    /// <param name="options">Layout and commit policy.</param>
    /// <param name="files">The file layer; the real disk when null (tests inject faults here).</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="loggerFactory">Where log messages go.</param>
    /// <param name="meterFactory">Where metrics go (meter <c>VideoStreams.Storage</c>).</param>
    /// <exception cref="CorruptSegmentException">A chunk or the control log is damaged beyond a torn tail.</exception>
    /// <exception cref="MasterKeyUnavailableException">A master key the data or a stream needs is missing or wrong.</exception>
    public static FragmentStore Open(FragmentStoreOptions options, IStorageFileSystem? files = null, TimeProvider? time = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        var clock = Stopwatch.StartNew();
        files ??= new PhysicalFileSystem(options.DataDirectory);
        var store = new FragmentStore(options, files, time ?? TimeProvider.System, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FragmentStore>(), meterFactory);
        try
        {
            store.Recover(clock);
            store._commitThread.Start();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Stops committing (after a last commit of what is pending) and closes every file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        StopCommitting();
        _chunks.Dispose();
        Index.Dispose();
        _metrics.Dispose();
        _dataKeys?.Dispose();
    }

    /// <summary>
    /// Starts a new data key for new data of one stream, or of every stream that keeps data (<c>vs keys rotate</c>).
    /// Old keys stay: data sealed with them stays readable.
    /// </summary>
    /// <returns>The new keys; none when encryption is off.</returns>
    /// <exception cref="MasterKeyUnavailableException">A stream's master key is not available.</exception>
    public IReadOnlyList<DataKeyInfo> RotateDataKeys(long? streamId = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_dataKeys is null)
        {
            return [];
        }

        var started = new HashSet<uint>();
        lock (_appendLock)
        {
            foreach (var stream in _streams.Values.Where(s => (streamId is null || s.Id == streamId) && s.Status != StreamStatus.Deleting && s.DataRetentionInHours > 0))
            {
                started.Add(_dataKeys.Start(stream, NowMs, "rotated on request", sync: false));
            }

            if (started.Count > 0)
            {
                SyncControl(); // one sync for them all, before any is used
            }

            return [.. _dataKeys.Keys().Where(k => started.Contains(k.KeyId))];
        }
    }

    /// <summary>Every data key of the streams that exist (never their bits).</summary>
    public IReadOnlyList<DataKeyInfo> DataKeys()
    {
        lock (_appendLock)
        {
            return _dataKeys?.Keys() ?? [];
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private long NextChunkId() => _nextChunkId++;

    private FragmentLog LogFor(string logClass)
    {
        if (!_logs.TryGetValue(logClass, out var log))
        {
            log = new FragmentLog(_files, logClass, _options.ChunkSize, null);
            _logs[logClass] = log;
        }

        return log;
    }
}
