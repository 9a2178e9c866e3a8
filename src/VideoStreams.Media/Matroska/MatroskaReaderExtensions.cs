using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Win32.SafeHandles;
using VideoStreams.Media.IO;

namespace VideoStreams.Media.Matroska;

/// <summary>Receives each event; frame data are valid only during the call.</summary>
public delegate void MatroskaEventHandler(MatroskaReader reader, in MatroskaEvent ev);

/// <summary>Loops that drive a <see cref="MatroskaReader"/> over common inputs.</summary>
public static class MatroskaReaderExtensions
{
    /// <summary>Reads a complete document (or several back to back) held in memory.</summary>
    /// <exception cref="MediaFormatException">The input is malformed or truncated.</exception>
    public static void ReadAll(this MatroskaReader reader, ReadOnlySequence<byte> input, MatroskaEventHandler handler)
    {
        var sequence = new SequenceReader<byte>(input);
        while (reader.TryRead(ref sequence, out var ev, isFinalBlock: true))
        {
            handler(reader, ev);
        }
    }

    /// <summary>Reads a complete document held in memory.</summary>
    public static void ReadAll(this MatroskaReader reader, ReadOnlyMemory<byte> input, MatroskaEventHandler handler) =>
        reader.ReadAll(new ReadOnlySequence<byte>(input), handler);

    /// <summary>
    /// Reads from a pipe until it completes. The pipe buffers at most one element beyond what has been consumed.
    /// </summary>
    public static async Task ReadAsync(this MatroskaReader reader, PipeReader input, MatroskaEventHandler handler, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var consumed = Drain(reader, result.Buffer, result.IsCompleted, handler);
            input.AdvanceTo(consumed, result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Reads a stream to its end (e.g. a file opened for sequential reading).</summary>
    public static async Task ReadAsync(this MatroskaReader reader, Stream input, MatroskaEventHandler handler, CancellationToken cancellationToken = default)
    {
        var pipe = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 1 << 20, minimumReadSize: 256 << 10, leaveOpen: true));
        try
        {
            await reader.ReadAsync(pipe, handler, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads a file to its end through mapped windows: the parser reads the page cache in place (no copy into user
    /// buffers, only touched pages fault in), an element split between windows is read across them, and windows are
    /// unmapped as soon as they are consumed. For command-line tools and batch jobs this is several times cheaper than
    /// going through a pipe.
    /// </summary>
    /// <exception cref="MediaFormatException">The input is malformed or truncated.</exception>
    /// <exception cref="IOException">Reading the file failed.</exception>
    public static void ReadFile(this MatroskaReader reader, SafeFileHandle file, MatroskaEventHandler handler, int blockSize = 16 << 20)
    {
        using var blocks = new MappedBlocks(file, blockSize);
        var pending = new List<(MappedWindow Window, int Start)>();
        var memories = new List<ReadOnlyMemory<byte>>();
        try
        {
            while (true)
            {
                var more = blocks.TryTake(out var window);
                if (more)
                {
                    pending.Add((window!, 0));
                }

                memories.Clear();
                foreach (var (w, start) in pending)
                {
                    memories.Add(w.Memory[start..]);
                }

                var sequence = BlockSequence.Create(memories);
                var consumed = sequence.Slice(0, Drain(reader, sequence, !more, handler)).Length;
                while (consumed > 0)
                {
                    var (w, start) = pending[0];
                    var count = w.Memory.Length - start;
                    if (consumed < count)
                    {
                        pending[0] = (w, start + (int)consumed);
                        break;
                    }

                    consumed -= count;
                    ((IDisposable)w).Dispose();
                    pending.RemoveAt(0);
                }

                if (!more)
                {
                    return;
                }
            }
        }
        finally
        {
            foreach (var (w, _) in pending)
            {
                ((IDisposable)w).Dispose();
            }
        }
    }

    // Separate from the async loop: SequenceReader is a ref struct and cannot live across an await.
    private static SequencePosition Drain(MatroskaReader reader, ReadOnlySequence<byte> buffer, bool isFinal, MatroskaEventHandler handler)
    {
        var sequence = new SequenceReader<byte>(buffer);
        while (reader.TryRead(ref sequence, out var ev, isFinal))
        {
            handler(reader, ev);
        }

        return sequence.Position;
    }
}
