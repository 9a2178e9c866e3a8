using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Win32.SafeHandles;

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
    /// Reads a file to its end, synchronously, through one buffer that holds the unconsumed tail plus the next read. For
    /// command-line tools and batch jobs this is several times cheaper than going through a pipe.
    /// </summary>
    /// <exception cref="MediaFormatException">The input is malformed or truncated.</exception>
    public static void ReadFile(this MatroskaReader reader, SafeFileHandle file, MatroskaEventHandler handler, int bufferSize = 4 << 20)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            long fileOffset = 0;
            var length = 0;
            while (true)
            {
                var read = RandomAccess.Read(file, buffer.AsSpan(length), fileOffset);
                fileOffset += read;
                length += read;
                var sequence = new ReadOnlySequence<byte>(buffer, 0, length);
                var consumed = (int)sequence.Slice(0, Drain(reader, sequence, read == 0, handler)).Length;
                if (read == 0)
                {
                    return;
                }

                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                length -= consumed;
                if (length == buffer.Length)
                {
                    // One element larger than the buffer; the reader bounds elements by MaxElementSize.
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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
