using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace VideoStreams.Media.IO;

/// <summary>
/// Reads a file front to back in large blocks on a background thread, one or two blocks ahead of the consumer, so the
/// copy out of the page cache overlaps with parsing on another core. Blocks are pooled; the consumer returns each one
/// with <see cref="Return"/> once it no longer needs its bytes.
/// </summary>
internal sealed class FilePrefetcher : IDisposable
{
    private readonly BlockingCollection<(byte[] Buffer, int Length)> _ready = new(boundedCapacity: 2);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private Exception? _failure;

    public FilePrefetcher(SafeFileHandle file, int blockSize)
    {
        _thread = new Thread(() => Run(file, blockSize)) { IsBackground = true, Name = "file prefetch" };
        _thread.Start();
    }

    /// <summary>The next block in file order, or false at the end of the file.</summary>
    /// <exception cref="IOException">Reading the file failed.</exception>
    public bool TryTake(out byte[] buffer, out int length)
    {
        foreach (var block in _ready.GetConsumingEnumerable())
        {
            (buffer, length) = block;
            return true;
        }

        if (_failure is not null)
        {
            throw new IOException("reading the file failed: " + _failure.Message, _failure);
        }

        (buffer, length) = (Array.Empty<byte>(), 0);
        return false;
    }

    public static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);

    public void Dispose()
    {
        _stop.Cancel();
        while (_ready.TryTake(out var block))
        {
            Return(block.Buffer);
        }

        _thread.Join();
        while (_ready.TryTake(out var block))
        {
            Return(block.Buffer);
        }

        _ready.Dispose();
        _stop.Dispose();
    }

    private void Run(SafeFileHandle file, int blockSize)
    {
        try
        {
            long offset = 0;
            while (!_stop.IsCancellationRequested)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
                var length = RandomAccess.Read(file, buffer.AsSpan(0, blockSize), offset);
                if (length == 0)
                {
                    Return(buffer);
                    break;
                }

                offset += length;
                _ready.Add((buffer, length), _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _failure = e;
        }
        finally
        {
            _ready.CompleteAdding();
        }
    }
}
