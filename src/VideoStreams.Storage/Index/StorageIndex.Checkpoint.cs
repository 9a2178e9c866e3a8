using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace VideoStreams.Storage.Index;

// WAL checkpoints off the commit path. SQLite's automatic checkpoint runs inside whichever commit pushes the WAL past
// its threshold, and with synchronous=NORMAL that checkpoint fsyncs the database file: a latency spike in one group
// commit, so in the PERSISTED latency of every fragment in it. Instead a timer checkpoints PASSIVE-ly on its own
// connection, which neither waits for nor blocks the writer and the readers.
public sealed partial class StorageIndex
{
    private ITimer? _checkpointTimer;
    private IndexConnection? _checkpointer;
    private int _checkpointing;

    private void StartCheckpoints()
    {
        if (_options.CheckpointInterval <= TimeSpan.Zero)
        {
            return;
        }

        _writer.Execute("PRAGMA wal_autocheckpoint = 0");
        _checkpointTimer = TimeProvider.System.CreateTimer(
            static state => ((StorageIndex)state!).Checkpoint(), this, _options.CheckpointInterval, _options.CheckpointInterval);
    }

    /// <summary>Copies committed WAL frames into the database file; skipped if one is running already.</summary>
    internal void Checkpoint()
    {
        if (Interlocked.CompareExchange(ref _checkpointing, 1, 0) != 0)
        {
            return;
        }

        try
        {
            if (!_disposed)
            {
                _checkpointer ??= new IndexConnection(_path, _options, writer: true);
                _checkpointer.Scalar("PRAGMA wal_checkpoint(PASSIVE)");
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED)
        {
            // Another checkpoint (a closing connection's) holds the checkpoint lock; the next tick does this one.
        }
        catch (SqliteException e)
        {
            // A failed checkpoint loses nothing (the frames stay in the WAL) and must not take the process down from
            // a timer thread; the next tick retries, and the commit path reports its own errors.
            LogCheckpointFailed(_logger, e, _path);
        }
        finally
        {
            Volatile.Write(ref _checkpointing, 0);
        }
    }

    private void StopCheckpoints()
    {
        _checkpointTimer?.Dispose();

        // Take the flag for good: a tick already running finishes first, and none starts after.
        var spinner = default(SpinWait);
        while (Interlocked.CompareExchange(ref _checkpointing, 1, 0) != 0)
        {
            spinner.SpinOnce();
        }

        _checkpointer?.Dispose();
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Index checkpoint of {Path} failed; retrying on the next tick")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string path);
}
