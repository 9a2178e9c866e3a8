namespace VideoStreams.Server.Playback.Hls.LowLatency;

/// <summary>
/// Low-latency HLS settings, configuration section <c>VideoStreams:Hls</c> (env <c>VIDEOSTREAMS__Hls__PartTargetMs</c>).
/// </summary>
internal sealed record LlOptions
{
    public const string Section = "VideoStreams:Hls";

    /// <summary>Target duration of a part, ms (EXT-X-PART-INF PART-TARGET). Default 200; 50 to 2000.</summary>
    public int PartTargetMs { get; set; } = 200;

    /// <summary>A stream's channel stops after this long without a request of any of its sessions. Default 60 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most complete segments a channel keeps (its playlist lists them all). Default 24.</summary>
    public int MaxSegments { get; set; } = 24;

    /// <summary>Most media bytes a channel keeps; the oldest segments go first. Default 64 MB.</summary>
    public long MaxBytes { get; set; } = 64L << 20;

    /// <summary>The part target, clamped to what the server supports.</summary>
    public double PartTargetSeconds => Math.Clamp(PartTargetMs, 50, 2000) / 1000.0;
}

/// <summary>An init segment of a channel (EXT-X-MAP): a new one at each session or codec change.</summary>
/// <param name="Id">Increases for the channel's life; names it in URIs.</param>
/// <param name="Bytes">ftyp + moov.</param>
/// <param name="Codecs">RFC 6381 codecs (CODECS of the master playlist).</param>
/// <param name="Width">Video width.</param>
/// <param name="Height">Video height.</param>
internal sealed record LlInit(int Id, byte[] Bytes, string Codecs, int Width, int Height);

/// <summary>One part: a moof + mdat of about the part target.</summary>
/// <param name="Bytes">Its bytes (a slice of the segment's once the segment is complete).</param>
/// <param name="Duration">Seconds.</param>
/// <param name="Independent">Starts with an IDR frame (INDEPENDENT=YES).</param>
internal sealed record LlPart(ReadOnlyMemory<byte> Bytes, double Duration, bool Independent);

/// <summary>
/// One segment of a channel: one PutMedia fragment (or the part of one up to a codec change). Immutable once
/// <see cref="Complete"/>; while in progress only <see cref="Parts"/> changes (a new array per part, so a reader's copy
/// of the reference never changes under it).
/// </summary>
internal sealed class LlSegment(long msn, LlInit init, bool discontinuity, DateTimeOffset programDateTime)
{
    public long Msn { get; } = msn;

    public LlInit Init { get; } = init;

    /// <summary>EXT-X-DISCONTINUITY before it: a new session, a codec change, or media lost before it.</summary>
    public bool Discontinuity { get; } = discontinuity;

    /// <summary>Wall-clock time of its first frame: the fragment's producer timestamp.</summary>
    public DateTimeOffset ProgramDateTime { get; } = programDateTime;

    public LlPart[] Parts { get; set; } = [];

    public bool Complete { get; set; }

    /// <summary>The whole segment (its parts back to back); set when complete.</summary>
    public ReadOnlyMemory<byte> Bytes { get; set; }

    public double Duration
    {
        get
        {
            double total = 0;
            foreach (var part in Parts)
            {
                total += part.Duration;
            }

            return total;
        }
    }
}

/// <summary>What a channel holds at one moment (references only; nothing in it changes later).</summary>
/// <param name="Segments">Complete segments, oldest first.</param>
/// <param name="Current">The segment in progress (with at least one part), or null.</param>
/// <param name="CurrentParts">Its parts at the moment of the view.</param>
/// <param name="NextMsn">The sequence number the next new segment gets.</param>
/// <param name="DiscontinuitySequence">Discontinuities before the first listed segment.</param>
/// <param name="TargetDuration">EXT-X-TARGETDURATION (only ever grows).</param>
/// <param name="PartTarget">PART-TARGET, seconds (only ever grows).</param>
/// <param name="Epoch">The channel run (<see cref="LlChannel.Epoch"/>), repeated in media URIs.</param>
internal sealed record LlView(
    long Epoch,
    IReadOnlyList<LlSegment> Segments,
    LlSegment? Current,
    LlPart[] CurrentParts,
    long NextMsn,
    long DiscontinuitySequence,
    int TargetDuration,
    double PartTarget)
{
    /// <summary>The sequence number of the newest segment listed (complete or in progress); -1 when none.</summary>
    public long LastMsn => Current?.Msn ?? (Segments.Count > 0 ? Segments[^1].Msn : -1);

    public bool IsEmpty => Current is null && Segments.Count == 0;

    /// <summary>The segment with this sequence number, when held.</summary>
    public LlSegment? Find(long msn)
    {
        if (Current is { } current && current.Msn == msn)
        {
            return current;
        }

        if (Segments.Count == 0 || msn < Segments[0].Msn || msn > Segments[^1].Msn)
        {
            return null;
        }

        var segment = Segments[(int)(msn - Segments[0].Msn)];
        return segment.Msn == msn ? segment : null;
    }

    /// <summary>
    /// True once a playlist holds segment <paramref name="msn"/> (complete) or, with <paramref name="part"/>, that part
    /// of it or anything later (RFC 8216bis 6.2.5.2). A complete segment with fewer parts counts as reaching every part of it.
    /// </summary>
    public bool Reached(long msn, int? part)
    {
        if (Segments.Count > 0 && Segments[^1].Msn >= msn)
        {
            return true;
        }

        if (part is not { } p || Current is not { } current)
        {
            return false;
        }

        return current.Msn > msn || (current.Msn == msn && CurrentParts.Length > p);
    }
}
