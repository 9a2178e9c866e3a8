using System.Buffers.Binary;
using System.Security.Cryptography;
using VideoStreams.Media.Mp4;
using VideoStreams.Media.Remux;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Clips;

/// <summary>
/// A clip planned in full before its first byte is sent: the MP4 layout (header bytes, sample tables, chunk places) and,
/// for every sample, where its bytes are: the fragment (<see cref="Fragments"/>) and the offset in its cluster. No media
/// bytes are kept: writing re-reads the fragments. An hour at 30 fps is ~108k samples, a few MB of tables.
/// </summary>
internal sealed class ClipPlan
{
    private readonly long[] _starts;

    public ClipPlan(Mp4RemuxPlan remux, FragmentEntry[] fragments, long[] starts, string etag, TimeSpan buildTime, int cutAt)
    {
        Remux = remux;
        Fragments = fragments;
        _starts = starts;
        ETag = etag;
        BuildTime = buildTime;
        CutAtFragment = cutAt;
        var newest = fragments.Max(f => f.ServerTimestampMs);
        LastModified = DateTimeOffset.FromUnixTimeSeconds(newest / 1000);
    }

    public Mp4RemuxPlan Remux { get; }

    public Mp4FileLayout Layout => Remux.Layout;

    public long FileSize => Remux.Layout.FileSize;

    /// <summary>The fragments in the clip, in time order.</summary>
    public FragmentEntry[] Fragments { get; }

    /// <summary>A strong validator derived from the fragment set (numbers and sizes): the same set gives the same bytes.</summary>
    public string ETag { get; }

    /// <summary>Arrival of the newest fragment in the clip, to the second.</summary>
    public DateTimeOffset LastModified { get; }

    public TimeSpan BuildTime { get; }

    /// <summary>
    /// -1, or the index in the selection of the first fragment left out because its tracks differ from the clip's
    /// (another codec or track layout: the clip stops there).
    /// </summary>
    public int CutAtFragment { get; }

    /// <summary>Which fragment holds a sample's bytes, and where in its cluster they start.</summary>
    public (int Fragment, int Offset) Locate(int track, int sample)
    {
        var position = Remux.SourceOffset(track, sample);
        var index = Array.BinarySearch(_starts, position);
        if (index < 0)
        {
            index = ~index - 1;
        }

        return (index, checked((int)(position - _starts[index])));
    }

    /// <summary>The ETag of a fragment selection, computed before anything is read (it keys the plan cache).</summary>
    public static string ETagOf(IReadOnlyList<FragmentEntry> fragments)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> item = stackalloc byte[12];
        // The layout rules are part of what the bytes depend on: a change to them must change every ETag.
        hash.AppendData("mp4-clip-v1"u8);
        foreach (var f in fragments)
        {
            BinaryPrimitives.WriteInt64LittleEndian(item, f.Number);
            BinaryPrimitives.WriteInt32LittleEndian(item[8..], f.Size);
            hash.AppendData(item);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return "\"" + Convert.ToHexStringLower(digest[..16]) + "\"";
    }
}
