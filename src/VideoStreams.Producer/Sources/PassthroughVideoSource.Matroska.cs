using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using VideoStreams.Media.H264;
using VideoStreams.Media.Matroska;
using VideoStreams.Producer.Fragmenting;

namespace VideoStreams.Producer.Sources;

internal sealed partial class PassthroughVideoSource
{
    private byte[] _convert = [];

    /// <summary>
    /// Plays one Matroska document: the avcC first, then each video frame at its presentation time. The reader works
    /// on the pipe's buffer in place; a frame is copied once into a reused buffer so that the pipe can move on while
    /// the frame waits for its moment.
    /// </summary>
    private async Task<long> PlayMatroskaAsync(Stream input, IAccessUnitSink sink, PlayState state, CancellationToken cancellationToken)
    {
        var reader = new MatroskaReader();
        var track = new VideoTrack();
        var pipe = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        long frames = 0;
        var previousPts = double.NaN;
        try
        {
            while (true)
            {
                var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (TryReadFrame(reader, buffer, result.IsCompleted, sink, track, out var consumed, out var length, out var ptsMs))
                {
                    // More events may already be buffered: examined = consumed, so the next read does not wait.
                    pipe.AdvanceTo(consumed);
                    if (double.IsNaN(state.FirstPtsMs))
                    {
                        state.FirstPtsMs = ptsMs;
                    }

                    if (track.DefaultDurationMs > 0)
                    {
                        state.FrameDurationMs = track.DefaultDurationMs;
                    }
                    else if (ptsMs > previousPts && (state.FrameDurationMs <= 0 || ptsMs - previousPts < state.FrameDurationMs))
                    {
                        state.FrameDurationMs = ptsMs - previousPts;
                    }

                    previousPts = ptsMs;
                    state.MaxPtsMs = Math.Max(state.MaxPtsMs, ptsMs);
                    var relativeMs = Math.Max(0, ptsMs - state.FirstPtsMs + state.OffsetMs);
                    await _pacer.WaitUntilAsync(state.StartTimestamp, TimeSpan.FromMilliseconds(relativeMs), cancellationToken).ConfigureAwait(false);
                    sink.OnAccessUnit(_frame.AsSpan(0, length), state.StartEpochMs + (long)Math.Round(relativeMs), AccessUnitFormat.Avcc);
                    _metrics.FramePassedThrough();
                    frames++;
                    continue;
                }

                pipe.AdvanceTo(consumed, buffer.End);
                if (result.IsCompleted)
                {
                    return frames;
                }
            }
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    // Synchronous: SequenceReader is a ref struct and cannot live across an await.
    private bool TryReadFrame(MatroskaReader reader, ReadOnlySequence<byte> buffer, bool isFinal, IAccessUnitSink sink, VideoTrack track, out SequencePosition consumed, out int length, out double ptsMs)
    {
        var sequence = new SequenceReader<byte>(buffer);
        while (reader.TryRead(ref sequence, out var ev, isFinal))
        {
            if (ev.Kind == MatroskaEventKind.Tracks)
            {
                SelectTrack(reader, sink, track);
            }
            else if (ev.Kind == MatroskaEventKind.Frame && ev.Frame.TrackNumber == track.Number && track.Number != 0)
            {
                length = CopyFrame(ev.Frame.Data, track.NalLengthSize);
                ptsMs = ev.Frame.Timestamp * (reader.Info.TimestampScale / 1e6);
                consumed = sequence.Position;
                return true;
            }
        }

        consumed = sequence.Position;
        length = 0;
        ptsMs = 0;
        return false;
    }

    private void SelectTrack(MatroskaReader reader, IAccessUnitSink sink, VideoTrack track)
    {
        var video = reader.Tracks.FirstOrDefault(t => t.Type == MatroskaTrackType.Video && t.IsH264);
        if (video is null)
        {
            var other = reader.Tracks.FirstOrDefault(t => t.Type == MatroskaTrackType.Video);
            throw new VideoSourceException(other is null
                ? $"{Description}: the input has no video track."
                : $"{Description}: the video track is {other.CodecId}, not H.264; passthrough needs H.264 (use mode \"encode\").");
        }

        var avcC = video.CodecPrivate.Span;
        if (avcC.Length < 7)
        {
            throw new VideoSourceException($"{Description}: the H.264 track has no decoder configuration (CodecPrivate).");
        }

        track.Number = video.Number;
        track.NalLengthSize = (avcC[4] & 3) + 1;
        track.DefaultDurationMs = video.DefaultDuration / 1e6;
        sink.OnDecoderConfiguration(avcC);
    }

    /// <summary>Copies a frame into the reused buffer, with four-byte NAL lengths (what the fragmenter writes) whatever the source used.</summary>
    private int CopyFrame(ReadOnlySequence<byte> data, int nalLengthSize)
    {
        var size = (int)data.Length;
        if (nalLengthSize == 4)
        {
            Grow(ref _frame, size);
            data.CopyTo(_frame);
            return size;
        }

        Grow(ref _convert, size);
        data.CopyTo(_convert);
        var source = _convert.AsSpan(0, size);
        var needed = 0;
        foreach (var nal in H264Nal.EnumerateAvcc(source, nalLengthSize))
        {
            needed += 4 + nal.Length;
        }

        Grow(ref _frame, needed);
        var written = 0;
        foreach (var nal in H264Nal.EnumerateAvcc(source, nalLengthSize))
        {
            BinaryPrimitives.WriteInt32BigEndian(_frame.AsSpan(written), nal.Length);
            nal.CopyTo(_frame.AsSpan(written + 4));
            written += 4 + nal.Length;
        }

        return written;
    }

    private static void Grow(ref byte[] buffer, int size)
    {
        if (buffer.Length >= size)
        {
            return;
        }

        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 64 * 1024));
    }

    private sealed class VideoTrack
    {
        public ulong Number { get; set; }

        public int NalLengthSize { get; set; } = 4;

        public double DefaultDurationMs { get; set; }
    }
}
