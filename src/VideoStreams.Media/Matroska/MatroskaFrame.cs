using System.Buffers;

namespace VideoStreams.Media.Matroska;

/// <summary>
/// One coded frame read from (or to be written to) a cluster. <see cref="Data"/> is a slice of the input: it is valid
/// only until the reader is advanced, so copy it if it must outlive that.
/// </summary>
public readonly struct MatroskaFrame
{
    /// <summary>Creates a frame.</summary>
    public MatroskaFrame(ulong trackNumber, long timestamp, bool isKeyframe, ReadOnlySequence<byte> data, long duration = -1, bool isDiscardable = false)
    {
        TrackNumber = trackNumber;
        Timestamp = timestamp;
        IsKeyframe = isKeyframe;
        Data = data;
        Duration = duration;
        IsDiscardable = isDiscardable;
    }

    /// <summary>Creates a frame over contiguous memory.</summary>
    public MatroskaFrame(ulong trackNumber, long timestamp, bool isKeyframe, ReadOnlyMemory<byte> data, long duration = -1)
        : this(trackNumber, timestamp, isKeyframe, new ReadOnlySequence<byte>(data), duration)
    {
    }

    /// <summary>The track the frame belongs to.</summary>
    public ulong TrackNumber { get; }

    /// <summary>Presentation timestamp in Segment timestamp-scale ticks (cluster timestamp + block offset, + lace position).</summary>
    public long Timestamp { get; }

    /// <summary>True when the frame can be decoded on its own (SimpleBlock key flag, or a BlockGroup without ReferenceBlock).</summary>
    public bool IsKeyframe { get; }

    /// <summary>True when the SimpleBlock's discardable flag is set.</summary>
    public bool IsDiscardable { get; }

    /// <summary>Block duration in timestamp-scale ticks, or -1 when the block does not say.</summary>
    public long Duration { get; }

    /// <summary>The frame's bytes.</summary>
    public ReadOnlySequence<byte> Data { get; }

    /// <summary>Offset of the frame's first byte in the reader's input stream, or -1 when not read from a stream.</summary>
    public long DataOffset { get; init; } = -1;
}
