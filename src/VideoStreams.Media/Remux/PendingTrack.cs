using System.Buffers;

namespace VideoStreams.Media.Remux;

/// <summary>
/// Frames of one track waiting to be packed into a segment, with their bytes copied out of the reader's buffer.
/// Arrays grow to the largest segment seen and are reused: no allocation per frame.
/// </summary>
internal sealed class PendingTrack : IDisposable
{
    private Frame[] _frames = new Frame[64];
    private byte[] _data = ArrayPool<byte>.Shared.Rent(1 << 20);
    private int _dataLength;

    public PendingTrack(RemuxTrack track, ulong timestampScale)
    {
        Track = track;
        AudioTolerance = DecodeTimeline.AudioTolerance(timestampScale, track.Timescale);
    }

    public RemuxTrack Track { get; }

    public int Count { get; private set; }

    public long AudioTolerance { get; }

    /// <summary>Audio: where the last frame added ends, for snapping the next one.</summary>
    public long ExpectedNextDts { get; private set; } = long.MinValue;

    /// <summary>Decode time of the last sample already emitted (video), to keep decode times increasing.</summary>
    public long LastEmittedDts { get; set; } = long.MinValue;

    /// <summary>Duration of the last sample emitted, used when a duration cannot be known.</summary>
    public long LastDuration { get; set; }

    public Span<Frame> Frames => _frames.AsSpan(0, Count);

    public ReadOnlySpan<byte> Data(int start, int length) => _data.AsSpan(start, length);

    public void Add(long pts, in ReadOnlySequence<byte> data, bool isKeyframe, int description)
    {
        if (Count == _frames.Length)
        {
            Array.Resize(ref _frames, _frames.Length * 2);
        }

        var size = checked((int)data.Length);
        if (_dataLength + size > _data.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_data.Length * 2, _dataLength + size));
            _data.AsSpan(0, _dataLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_data);
            _data = bigger;
        }

        data.CopyTo(_data.AsSpan(_dataLength));
        var dts = pts;
        if (Track.Kind == Mp4.Mp4TrackKind.Audio)
        {
            var expected = ExpectedNextDts;
            dts = DecodeTimeline.NextAudio(pts, ref expected, AudioTolerance, Track.SamplesPerFrame);
            ExpectedNextDts = expected;
        }

        _frames[Count++] = new Frame(pts, dts, _dataLength, size, description, isKeyframe);
        _dataLength += size;
    }

    /// <summary>Drops the first <paramref name="count"/> frames (they were emitted) and compacts the rest.</summary>
    public void RemoveFirst(int count)
    {
        if (count == 0)
        {
            return;
        }

        var keptStart = count < Count ? _frames[count].DataStart : _dataLength;
        _data.AsSpan(keptStart, _dataLength - keptStart).CopyTo(_data);
        _dataLength -= keptStart;
        _frames.AsSpan(count, Count - count).CopyTo(_frames);
        Count -= count;
        for (var i = 0; i < Count; i++)
        {
            _frames[i].DataStart -= keptStart;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_data);
        _data = [];
    }

    internal struct Frame(long pts, long dts, int dataStart, int size, int description, bool isKeyframe)
    {
        public long Pts = pts;
        public long Dts = dts;
        public int DataStart = dataStart;
        public int Size = size;
        public int Description = description;
        public bool IsKeyframe = isKeyframe;
    }
}
