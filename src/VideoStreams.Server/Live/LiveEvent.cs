using VideoStreams.Media.Matroska;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Live;

/// <summary>What a <see cref="LiveEvent"/> carries.</summary>
internal enum LiveEventKind
{
    /// <summary>A PutMedia session began (or was already running when the subscriber joined): <see cref="LiveEvent.Session"/>.</summary>
    SessionStarted = 1,
    /// <summary>A fragment's first bytes arrived: <see cref="LiveEvent.Fragment"/> has its timestamps, no number yet.</summary>
    FragmentStarted,
    /// <summary>One frame, as parsed from the body: <see cref="LiveEvent.Frame"/>.</summary>
    Frame,
    /// <summary>A fragment is complete and valid: <see cref="LiveEvent.Fragment"/> with number and the cluster bytes.</summary>
    FragmentReceived,
    /// <summary>The store committed the fragment: <see cref="LiveEvent.Fragment"/> (retention &gt; 0 only).</summary>
    FragmentPersisted,
    /// <summary>The fragment in progress was rejected (ERROR ack); frames already published for it must be discarded.</summary>
    FragmentRejected,
    /// <summary>The PutMedia session ended (sender closed, error, or taken over by a newer one).</summary>
    SessionEnded,
}

/// <summary>The header of a PutMedia session: what a reader needs to write an MKV header for the frames that follow.</summary>
/// <param name="SessionId">Increases with every session of the hub (a takeover starts a new one).</param>
/// <param name="Info">Segment Info (TimestampScale).</param>
/// <param name="Tracks">The declared tracks.</param>
internal sealed record LiveSession(long SessionId, MatroskaSegmentInfo Info, IReadOnlyList<MatroskaTrack> Tracks);

/// <summary>
/// A frame published live. <see cref="Data"/> is a copy shared by every subscriber (see <see cref="LiveFrameArena"/>:
/// small frames are slices of a shared block, so never write to it or assume it spans a whole array).
/// </summary>
/// <param name="TrackNumber">Track number as in the session's Tracks.</param>
/// <param name="Timestamp">Absolute timestamp in TimestampScale ticks (cluster timecode + block offset).</param>
/// <param name="ClusterTimestamp">The cluster timecode of the fragment it belongs to, in ticks.</param>
/// <param name="IsKeyframe">Key flag.</param>
/// <param name="Data">The coded frame.</param>
internal sealed record LiveFrame(ulong TrackNumber, long Timestamp, long ClusterTimestamp, bool IsKeyframe, ReadOnlyMemory<byte> Data);

/// <summary>A fragment as the live hub knows it.</summary>
/// <param name="Number">Internal fragment number (format with <see cref="FragmentNumber.Format"/>); -1 on FragmentStarted.</param>
/// <param name="ProducerTimestampMs">Producer timestamp, epoch ms.</param>
/// <param name="ServerTimestampMs">Server timestamp (first byte), epoch ms.</param>
/// <param name="DurationMs">Duration, ms (0 on FragmentStarted).</param>
/// <param name="Media">The whole MKV cluster as received (FragmentReceived only; empty otherwise). For stored fragments
/// these are exactly the bytes the store keeps, so a reader at the live edge can serve them without reading the disk.</param>
/// <param name="Tags">Fragment metadata seen before the cluster, if any (on FragmentReceived also the session header tag,
/// as stored).</param>
/// <param name="Entry">The store entry (FragmentPersisted only).</param>
internal sealed record LiveFragment(
    long Number,
    long ProducerTimestampMs,
    long ServerTimestampMs,
    int DurationMs,
    ReadOnlyMemory<byte> Media,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null,
    FragmentEntry? Entry = null);

/// <summary>One event of a stream's live hub.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Session">The session the event belongs to (always set).</param>
/// <param name="Frame">For <see cref="LiveEventKind.Frame"/>.</param>
/// <param name="Fragment">For the Fragment* kinds.</param>
internal sealed record LiveEvent(LiveEventKind Kind, LiveSession Session, LiveFrame? Frame = null, LiveFragment? Fragment = null);
