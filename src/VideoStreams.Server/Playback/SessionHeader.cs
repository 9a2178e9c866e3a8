using System.Buffers;
using System.Collections.Concurrent;
using VideoStreams.Media;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Server.Playback;

/// <summary>
/// The store keeps each fragment's MKV cluster as received, not the Info and Tracks of the PutMedia session it came
/// in: a GetMedia chunk needs them. Ingest therefore stores them with every fragment, as one fragment tag named
/// <see cref="TagName"/> whose value is <see cref="Encode"/>'s text (a base64 EBML header + Segment + Info + Tracks
/// document, written by our Matroska writer; about 100–300 bytes for H.264 + AAC). Producers cannot send this name:
/// KVS refuses fragment metadata whose name starts with AWS. Read paths leave it out of the producer tags they echo.
/// </summary>
internal static class SessionHeader
{
    /// <summary>The fragment tag that carries a fragment's session header.</summary>
    public const string TagName = "AWS_VIDEOSTREAMS_SESSION_HEADER";

    /// <summary>Encodes a session's Info and Tracks as the tag value.</summary>
    public static string Encode(MatroskaSegmentInfo info, IReadOnlyList<MatroskaTrack> tracks)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new MatroskaWriter(buffer))
        {
            writer.WriteHeader(info, tracks);
        }

        return Convert.ToBase64String(buffer.WrittenSpan);
    }

    private static readonly ConcurrentDictionary<string, (MatroskaSegmentInfo, IReadOnlyList<MatroskaTrack>)?> Cache = new(StringComparer.Ordinal);

    /// <summary>Decodes a tag value (cached: every fragment of a session carries the same text).</summary>
    /// <returns>The Info and Tracks, or null when the value is not a header we wrote.</returns>
    public static (MatroskaSegmentInfo Info, IReadOnlyList<MatroskaTrack> Tracks)? Decode(string value)
    {
        if (Cache.TryGetValue(value, out var known))
        {
            return known;
        }

        var decoded = Parse(value);
        if (Cache.Count < 10_000)
        {
            Cache[value] = decoded;
        }

        return decoded;
    }

    private static (MatroskaSegmentInfo, IReadOnlyList<MatroskaTrack>)? Parse(string value)
    {
        var bytes = new byte[(value.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(value, bytes, out var length))
        {
            return null;
        }

        try
        {
            var reader = new MatroskaReader();
            var tracks = (IReadOnlyList<MatroskaTrack>)[];
            reader.ReadAll(bytes.AsMemory(0, length), (MatroskaReader r, in MatroskaEvent e) =>
            {
                if (e.Kind == MatroskaEventKind.Tracks)
                {
                    tracks = r.Tracks;
                }
            });
            return tracks.Count == 0 ? null : (reader.Info, tracks);
        }
        catch (MediaFormatException)
        {
            return null;
        }
    }

    /// <summary>The fragment's session header, from its tags.</summary>
    public static (MatroskaSegmentInfo Info, IReadOnlyList<MatroskaTrack> Tracks)? From(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        foreach (var (name, value) in tags)
        {
            if (name == TagName)
            {
                return Decode(value);
            }
        }

        return null;
    }
}
