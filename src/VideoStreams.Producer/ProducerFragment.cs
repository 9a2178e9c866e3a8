namespace VideoStreams.Producer;

/// <summary>
/// One fragment as the producer sends it: a keyframe-aligned Matroska Cluster (preceded by its Tags, if any) and the
/// stream header (EBML header, Segment of unknown size, Info, Tracks) it belongs to. Sending
/// <see cref="Header"/> once per PutMedia session and then the <see cref="Body"/> of each fragment with the same
/// <see cref="HeaderVersion"/> gives a valid MKV stream; a fragment with a new header version needs a new session
/// (or the new header written first, which KVS reads as a second Segment and refuses).
/// </summary>
public sealed class ProducerFragment
{
    /// <summary>Creates a fragment. The memory is owned by the fragment from now on and must not change.</summary>
    /// <exception cref="ArgumentException">Empty header or body, or a negative timestamp, duration or sequence number.</exception>
    public ProducerFragment(
        long sequenceNumber,
        int headerVersion,
        ReadOnlyMemory<byte> header,
        ReadOnlyMemory<byte> body,
        long timestampMs,
        long durationMs,
        bool startsWithKeyframe,
        int frameCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequenceNumber);
        ArgumentOutOfRangeException.ThrowIfNegative(timestampMs);
        ArgumentOutOfRangeException.ThrowIfNegative(durationMs);
        ArgumentOutOfRangeException.ThrowIfNegative(frameCount);
        if (header.IsEmpty || body.IsEmpty)
        {
            throw new ArgumentException("A fragment needs a stream header and a body.", header.IsEmpty ? nameof(header) : nameof(body));
        }

        SequenceNumber = sequenceNumber;
        HeaderVersion = headerVersion;
        Header = header;
        Body = body;
        TimestampMs = timestampMs;
        DurationMs = durationMs;
        StartsWithKeyframe = startsWithKeyframe;
        FrameCount = frameCount;
    }

    /// <summary>Producer-side sequence number: strictly increasing, never reused (the spool's key).</summary>
    public long SequenceNumber { get; }

    /// <summary>Which stream header this fragment needs; it changes when the codec configuration (SPS/PPS) changes.</summary>
    public int HeaderVersion { get; }

    /// <summary>EBML header, Segment (unknown size), Info (TimestampScale 1 ms) and Tracks.</summary>
    public ReadOnlyMemory<byte> Header { get; }

    /// <summary>Optional Tags element, then one Cluster of unknown size with its SimpleBlocks.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// The cluster timestamp: ABSOLUTE producer time in milliseconds since the Unix epoch, which is what KVS acks
    /// echo as <c>FragmentTimecode</c>.
    /// </summary>
    public long TimestampMs { get; }

    /// <summary>Duration in milliseconds: up to the next fragment's start, or an estimate of the last frame's end.</summary>
    public long DurationMs { get; }

    /// <summary>True when the first video frame is a key frame (IDR). False only for a fragment cut by the length limit.</summary>
    public bool StartsWithKeyframe { get; }

    /// <summary>Video frames in the fragment.</summary>
    public int FrameCount { get; }

    /// <summary>Producer time of the fragment's start.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs);

    /// <summary>Size of the body (what one fragment adds to a PutMedia stream).</summary>
    public int Size => Body.Length;
}
