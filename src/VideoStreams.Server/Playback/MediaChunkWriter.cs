using System.Buffers;
using System.Globalization;
using VideoStreams.Media.Ebml;
using VideoStreams.Media.Matroska;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback;

/// <summary>
/// Writes GetMedia's chunks (KVS-API.md §3.2): per fragment one complete MKV document — EBML header, Segment, Info,
/// Tracks, Tags (producer metadata plus fragment number and timestamps), the Cluster as stored, then Tags with
/// millis-behind-now and the continuation token. Error chunks carry the error tags instead of a cluster.
/// </summary>
internal sealed class MediaChunkWriter(IBufferWriter<byte> output)
{
    public const string FragmentNumberTag = "AWS_KINESISVIDEO_FRAGMENT_NUMBER";
    public const string ServerTimestampTag = "AWS_KINESISVIDEO_SERVER_TIMESTAMP";
    public const string ProducerTimestampTag = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP";
    public const string MillisBehindNowTag = "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW";
    public const string ContinuationTokenTag = "AWS_KINESISVIDEO_CONTINUATION_TOKEN";

    // When a fragment lacks the session header (stored before ingest kept it) and no earlier one of the request had
    // it, the chunk still has to declare a track: one H.264 video track 1 without codec private data.
    private static readonly (MatroskaSegmentInfo, IReadOnlyList<MatroskaTrack>) Fallback = (
        new MatroskaSegmentInfo { MuxingApp = MatroskaWriter.AppName, WritingApp = MatroskaWriter.AppName },
        [new MatroskaTrack { Number = 1, Uid = 1, Type = MatroskaTrackType.Video, CodecId = "V_MPEG4/ISO/AVC" }]);

    private (MatroskaSegmentInfo Info, IReadOnlyList<MatroskaTrack> Tracks)? _lastHeader;

    /// <summary>One stored fragment's chunk.</summary>
    /// <param name="fragment">The stored fragment.</param>
    /// <param name="millisBehindNow">The after-cluster tag (GetMedia only); null leaves the trailing Tags out.</param>
    /// <param name="continuationToken">The token to resume after this fragment (GetMedia only).</param>
    public void WriteFragment(StoredFragment fragment, long? millisBehindNow, string? continuationToken)
    {
        var entry = fragment.Entry;
        WriteFragment(entry.Number, entry.ServerTimestampMs, entry.ProducerTimestampMs, fragment.Tags, fragment.Media,
            millisBehindNow, continuationToken, session: null);
    }

    /// <summary>One fragment's chunk, from its parts (a stored fragment, or one the live hub has in memory).</summary>
    /// <param name="number">Internal fragment number.</param>
    /// <param name="serverMs">Server timestamp, epoch ms.</param>
    /// <param name="producerMs">Producer timestamp, epoch ms.</param>
    /// <param name="tags">The fragment's tags as stored (producer metadata and the session header tag).</param>
    /// <param name="media">The MKV cluster as received.</param>
    /// <param name="millisBehindNow">The after-cluster tag (GetMedia only); null leaves the trailing Tags out.</param>
    /// <param name="continuationToken">The token to resume after this fragment (GetMedia only).</param>
    /// <param name="session">Info and Tracks to use when the tags carry no session header (live fragments).</param>
    public void WriteFragment(long number, long serverMs, long producerMs, IReadOnlyList<KeyValuePair<string, string>>? tags,
        ReadOnlySpan<byte> media, long? millisBehindNow, string? continuationToken,
        (MatroskaSegmentInfo Info, IReadOnlyList<MatroskaTrack> Tracks)? session)
    {
        tags ??= [];
        // Every chunk is a whole document with its own EBML header and Segment, so when a new PutMedia session changes
        // Info or Tracks mid-GetMedia the next chunk simply declares the new ones (as KVS's chunks do).
        var header = SessionHeader.From(tags) ?? session ?? _lastHeader ?? Fallback;
        _lastHeader = header;
        var text = FragmentNumber.Format(number);
        using var writer = new MatroskaWriter(output);
        writer.WriteHeader(header.Info, header.Tracks);

        var before = new List<MatroskaSimpleTag>(tags.Count + 3);
        foreach (var (name, value) in tags)
        {
            if (name != SessionHeader.TagName)
            {
                before.Add(new MatroskaSimpleTag(name, value));
            }
        }

        before.Add(new MatroskaSimpleTag(FragmentNumberTag, text));
        before.Add(new MatroskaSimpleTag(ServerTimestampTag, Seconds(serverMs)));
        before.Add(new MatroskaSimpleTag(ProducerTimestampTag, Seconds(producerMs)));
        writer.WriteTags([new MatroskaTag([], before)]);

        // The cluster exactly as the producer sent it: no re-encoding, no copy beyond the response buffer.
        EbmlWriter.WriteBytes(output, media);

        if (millisBehindNow is { } behind)
        {
            var after = new List<MatroskaSimpleTag>(2)
            {
                new(MillisBehindNowTag, behind.ToString(CultureInfo.InvariantCulture)),
            };
            if (continuationToken is not null)
            {
                after.Add(new MatroskaSimpleTag(ContinuationTokenTag, continuationToken));
            }

            writer.WriteTags([new MatroskaTag([], after)]);
        }
    }

    /// <summary>
    /// An error chunk: a document with the header and one Tags element naming what failed.
    /// <paramref name="tags"/> are name/value pairs such as AWS_KINESISVIDEO_ERROR_CODE and _ERROR_ID.
    /// </summary>
    public void WriteError(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var header = _lastHeader ?? Fallback;
        using var writer = new MatroskaWriter(output);
        writer.WriteHeader(header.Item1, header.Item2);
        writer.WriteTags([new MatroskaTag([], [.. tags.Select(t => new MatroskaSimpleTag(t.Key, t.Value))])]);
    }

    /// <summary>Epoch seconds with milliseconds, as KVS writes them (the parser does ceil(double × 1000)).</summary>
    public static string Seconds(long ms) =>
        (ms / 1000).ToString(CultureInfo.InvariantCulture) + "." + Math.Abs(ms % 1000).ToString("D3", CultureInfo.InvariantCulture);
}
