using System.Buffers.Binary;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Hls;

/// <summary>KVS PlaybackMode.</summary>
internal enum HlsMode : byte
{
    Live,
    LiveReplay,
    OnDemand,
}

/// <summary>KVS DiscontinuityMode.</summary>
internal enum HlsDiscontinuity : byte
{
    Always,
    Never,
    OnDiscontinuity,
}

/// <summary>
/// What a session token binds: everything a resource needs to answer, so no server state is required to check a
/// request (only a LIVE window is kept in memory, see <see cref="HlsSelection"/>).
/// </summary>
/// <param name="StreamId">The internal stream id: a deleted and recreated stream of the same name has another.</param>
/// <param name="Mode">LIVE, LIVE_REPLAY or ON_DEMAND.</param>
/// <param name="Clock">The fragment selector's clock.</param>
/// <param name="StartMs">
/// Earliest selected timestamp of a fragment in the session: the range start (ON_DEMAND, LIVE_REPLAY) or the oldest
/// fragment of the first LIVE window.
/// </param>
/// <param name="EndMs">Latest selected timestamp (inclusive); <see cref="long.MaxValue"/> when open.</param>
/// <param name="Discontinuity">DiscontinuityMode.</param>
/// <param name="DisplayTimestamp">DisplayFragmentTimestamp ALWAYS: EXT-X-PROGRAM-DATE-TIME on every segment.</param>
/// <param name="MaxResults">MaxMediaPlaylistFragmentResults.</param>
/// <param name="SessionId">Random id: tells sessions apart (the LIVE window is kept per session).</param>
/// <param name="CreatedMs">Creation, epoch ms (LIVE_REPLAY releases fragments from it).</param>
/// <param name="ExpiresMs">Expiry, epoch ms.</param>
/// <param name="LowLatency">LIVE with our extension <c>"LowLatency": true</c>: an LL-HLS media playlist (payload version 2).</param>
/// <param name="FromHub">LIVE served from the live hub's channel (LL sessions, and every LIVE session of a retention-0
/// stream), not from the store (payload version 2).</param>
internal sealed record HlsSession(
    long StreamId,
    HlsMode Mode,
    TimestampKind Clock,
    long StartMs,
    long EndMs,
    HlsDiscontinuity Discontinuity,
    bool DisplayTimestamp,
    int MaxResults,
    long SessionId,
    long CreatedMs,
    long ExpiresMs,
    bool LowLatency = false,
    bool FromHub = false)
{
    // Version 1 (before LL-HLS) tokens are still read: they are sessions without LowLatency.
    private const byte Version = 2;

    /// <summary>Bytes of the version 1 payload.</summary>
    public const int PayloadLengthV1 = 1 + 4 + (8 * 6) + 4;

    /// <summary>Bytes of the binary payload (version 2: a flags byte more).</summary>
    public const int PayloadLength = PayloadLengthV1 + 1;

    /// <summary>The fragment's timestamp on the session's clock.</summary>
    public long Selected(in FragmentEntry entry) => Clock == TimestampKind.Producer ? entry.ProducerTimestampMs : entry.ServerTimestampMs;

    /// <summary>True when the fragment belongs to the session: its stream, and within its range.</summary>
    public bool Contains(in FragmentEntry entry)
    {
        var t = Selected(entry);
        return entry.StreamId == StreamId && t >= StartMs && t <= EndMs;
    }

    public void Write(Span<byte> payload)
    {
        payload[0] = Version;
        payload[1] = (byte)Mode;
        payload[2] = (byte)Clock;
        payload[3] = (byte)Discontinuity;
        payload[4] = DisplayTimestamp ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(payload[5..], StreamId);
        BinaryPrimitives.WriteInt64LittleEndian(payload[13..], StartMs);
        BinaryPrimitives.WriteInt64LittleEndian(payload[21..], EndMs);
        BinaryPrimitives.WriteInt64LittleEndian(payload[29..], SessionId);
        BinaryPrimitives.WriteInt64LittleEndian(payload[37..], CreatedMs);
        BinaryPrimitives.WriteInt64LittleEndian(payload[45..], ExpiresMs);
        BinaryPrimitives.WriteInt32LittleEndian(payload[53..], MaxResults);
        payload[57] = (byte)((LowLatency ? 1 : 0) | (FromHub ? 2 : 0));
    }

    public static HlsSession? TryRead(ReadOnlySpan<byte> payload)
    {
        var v2 = payload.Length == PayloadLength && payload[0] == Version;
        var v1 = payload.Length == PayloadLengthV1 && payload[0] == 1;
        if ((!v1 && !v2) || (v2 && payload[57] > 3) || payload[1] > (byte)HlsMode.OnDemand
            || payload[2] > (byte)TimestampKind.Server || payload[3] > (byte)HlsDiscontinuity.OnDiscontinuity || payload[4] > 1)
        {
            return null;
        }

        var session = new HlsSession(
            StreamId: BinaryPrimitives.ReadInt64LittleEndian(payload[5..]),
            Mode: (HlsMode)payload[1],
            Clock: (TimestampKind)payload[2],
            StartMs: BinaryPrimitives.ReadInt64LittleEndian(payload[13..]),
            EndMs: BinaryPrimitives.ReadInt64LittleEndian(payload[21..]),
            Discontinuity: (HlsDiscontinuity)payload[3],
            DisplayTimestamp: payload[4] == 1,
            MaxResults: BinaryPrimitives.ReadInt32LittleEndian(payload[53..]),
            SessionId: BinaryPrimitives.ReadInt64LittleEndian(payload[29..]),
            CreatedMs: BinaryPrimitives.ReadInt64LittleEndian(payload[37..]),
            ExpiresMs: BinaryPrimitives.ReadInt64LittleEndian(payload[45..]),
            LowLatency: v2 && (payload[57] & 1) != 0,
            FromHub: v2 && (payload[57] & 2) != 0);
        return session.MaxResults is < 1 or > HlsSessionService.MaxMaxResults || ((session.LowLatency || session.FromHub) && session.Mode != HlsMode.Live)
            ? null : session;
    }
}
