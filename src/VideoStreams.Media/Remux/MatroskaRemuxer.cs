using System.Buffers;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Media.Remux;

/// <summary>
/// Matroska → Matroska in the live layout KVS producers send (unknown-size Segment, one Cluster per source cluster,
/// SimpleBlocks only, no Cues or SeekHead): normalises ffmpeg or mkvmerge files (BlockGroups, lacing, CRC-32) into what
/// PutMedia expects. Frame bytes are copied as they are.
/// </summary>
public static class MatroskaRemuxer
{
    /// <summary>Reads <paramref name="input"/> to its end and writes the live layout to <paramref name="output"/>.</summary>
    /// <returns>Frames written.</returns>
    /// <exception cref="MediaFormatException">The input is malformed or truncated.</exception>
    public static async Task<long> RemuxAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        using var writer = new MatroskaWriter(buffer);
        long frames = 0;
        void Flush()
        {
            output.Write(buffer.WrittenSpan);
            buffer.ResetWrittenCount();
        }

        void Handle(MatroskaReader reader, in MatroskaEvent ev)
        {
            switch (ev.Kind)
            {
                case MatroskaEventKind.Tracks:
                    // Each document's header, once its tracks are known: a stream of several documents stays several.
                    if (writer.InCluster)
                    {
                        writer.EndCluster();
                    }

                    writer.WriteHeader(reader.Info with { MuxingApp = null, WritingApp = null, Duration = null }, reader.Tracks);
                    break;
                case MatroskaEventKind.Tags:
                    if (!writer.InCluster)
                    {
                        writer.WriteTags(reader.LastTags);
                    }

                    break;
                case MatroskaEventKind.ClusterStart:
                    writer.BeginCluster(reader.ClusterTimestamp);
                    break;
                case MatroskaEventKind.Frame:
                    writer.WriteFrame(ev.Frame);
                    frames++;
                    break;
                case MatroskaEventKind.ClusterEnd:
                    writer.EndCluster();
                    Flush();
                    break;
            }
        }

        await new MatroskaReader().ReadAsync(input, Handle, cancellationToken).ConfigureAwait(false);
        Flush();
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return frames;
    }
}
