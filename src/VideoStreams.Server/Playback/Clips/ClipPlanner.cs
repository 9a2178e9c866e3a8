using System.Diagnostics;
using VideoStreams.Media;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Remux;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Clips;

/// <summary>
/// Pass 1 of a clip: reads each selected fragment once (decrypted and checked by the store), feeds its session header
/// (when it changes) and its cluster to the Media layer's <see cref="Mp4RemuxPlanner"/>, and drops the bytes. Each
/// cluster is placed at its fragment's producer timestamp, so fragments of several PutMedia sessions (each counting
/// from its own origin) share one timeline.
/// </summary>
internal static class ClipPlanner
{
    /// <summary>Plans the clip, or says why the fragments cannot make one.</summary>
    public static (ClipPlan? Plan, ClipFailure? Failure) Build(FragmentStore store, IReadOnlyList<FragmentEntry> selected, string etag)
    {
        var started = Stopwatch.GetTimestamp();
        var planner = new Mp4RemuxPlanner();
        var kept = new List<FragmentEntry>(selected.Count);
        var starts = new List<long>(selected.Count);
        string? currentHeader = null;
        string? layout = null;
        var cutAt = -1;
        var ahead = new ReadAhead(store, selected);
        for (var i = 0; i < selected.Count; i++)
        {
            var entry = selected[i];
            StoredFragment fragment;
            try
            {
                var read = ahead.Next();
                if (!read.IsSuccess)
                {
                    continue; // removed by retention since it was listed: the clip is made of what is still there
                }

                fragment = read.Value!;
            }
            catch (CorruptSegmentException e)
            {
                return (null, new ClipFailure(ClipFailureKind.InvalidMediaFrame, null, $"Fragment {FragmentNumber.Format(entry.Number)} cannot be read: {e.Message}"));
            }

            var headerText = HeaderText(fragment.Tags);
            if (headerText is null)
            {
                return (null, new ClipFailure(ClipFailureKind.MissingCodecPrivateData, null,
                    $"Fragment {FragmentNumber.Format(entry.Number)} carries no track description (codec private data)."));
            }

            if (!ReferenceEquals(headerText, currentHeader) && headerText != currentHeader)
            {
                var (failure, signature) = Check(headerText, entry);
                if (failure is not null)
                {
                    if (layout is null)
                    {
                        return (null, failure);
                    }

                    cutAt = i;
                    break;
                }

                if (layout is not null && signature != layout)
                {
                    // Another codec or track layout: an MP4 track cannot change codec, so the clip ends here.
                    cutAt = i;
                    break;
                }

                layout = signature;
                currentHeader = headerText;
                try
                {
                    planner.Append(Convert.FromBase64String(headerText));
                }
                catch (MediaFormatException e)
                {
                    return (null, new ClipFailure(ClipFailureKind.InvalidCodecPrivateData, null, $"Fragment {FragmentNumber.Format(entry.Number)}: {e.Message}"));
                }
            }

            starts.Add(planner.Position);
            kept.Add(entry);
            try
            {
                planner.Append(fragment.Media, entry.ProducerTimestampMs);
            }
            catch (MediaFormatException e)
            {
                return (null, new ClipFailure(ClipFailureKind.InvalidMediaFrame, null, $"Fragment {FragmentNumber.Format(entry.Number)}: {e.Message}"));
            }
        }

        if (kept.Count == 0)
        {
            return (null, new ClipFailure(ClipFailureKind.ResourceNotFound, null, "No fragments found in the stream for the clip request."));
        }

        Mp4RemuxPlan remux;
        try
        {
            remux = planner.Build();
        }
        catch (MediaFormatException e)
        {
            return (null, new ClipFailure(ClipFailureKind.InvalidMediaFrame, null, $"The fragments hold no playable H.264 or AAC frames: {e.Message}"));
        }

        return (new ClipPlan(remux, [.. kept], [.. starts], etag, Stopwatch.GetElapsedTime(started), cutAt), null);
    }

    /// <summary>
    /// Reads the next few fragments on the thread pool while the current one is parsed: reading (checksum, decryption)
    /// is most of pass 1's cost, and fragments are independent. Results are taken in order; a fragment left unread when
    /// planning stops early is simply dropped.
    /// </summary>
    private sealed class ReadAhead(FragmentStore store, IReadOnlyList<FragmentEntry> entries)
    {
        private readonly int _depth = Math.Clamp(Environment.ProcessorCount, 2, 4);
        private readonly Queue<Task<StorageResult<StoredFragment>>> _reads = new();
        private int _next;

        public StorageResult<StoredFragment> Next()
        {
            while (_reads.Count < _depth && _next < entries.Count)
            {
                var entry = entries[_next++];
                _reads.Enqueue(Task.Run(() => store.Read(entry)));
            }

            return _reads.Dequeue().GetAwaiter().GetResult();
        }
    }

    private static string? HeaderText(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        foreach (var (name, value) in tags)
        {
            if (name == SessionHeader.TagName)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>
    /// KVS's media requirements (§4 GetClip): track 1 H.264 (H.265 is valid for KVS but our MP4 writer has no hvc1),
    /// optional AAC; codec private data present and parsable. Returns the track layout as a comparable text.
    /// </summary>
    private static (ClipFailure? Failure, string Signature) Check(string headerText, in FragmentEntry entry)
    {
        var number = FragmentNumber.Format(entry.Number);
        if (SessionHeader.Decode(headerText) is not { } header)
        {
            return (new ClipFailure(ClipFailureKind.MissingCodecPrivateData, null, $"Fragment {number} carries no readable track description."), "");
        }

        var video = header.Tracks.FirstOrDefault(t => t.Type == MatroskaTrackType.Video);
        var audio = header.Tracks.FirstOrDefault(t => t.Type == MatroskaTrackType.Audio);
        if (video is not null && !video.IsH264)
        {
            return (new ClipFailure(ClipFailureKind.UnsupportedStreamMediaType, null,
                $"Fragment {number}: video codec {video.CodecId} cannot be put in an MP4 clip (only V_MPEG4/ISO/AVC)."), "");
        }

        if (video is null && (audio is null || !audio.IsAac))
        {
            return (new ClipFailure(ClipFailureKind.UnsupportedStreamMediaType, null,
                $"Fragment {number}: the stream has no H.264 video or AAC audio track."), "");
        }

        foreach (var track in (MatroskaTrack?[])[video, audio is { IsAac: true } ? audio : null])
        {
            if (track is null)
            {
                continue;
            }

            if (track.CodecPrivate.IsEmpty)
            {
                return (new ClipFailure(ClipFailureKind.MissingCodecPrivateData, null,
                    $"Fragment {number}: track {track.Number} ({track.CodecId}) has no codec private data."), "");
            }

            try
            {
                _ = RemuxTrack.TryCreate(track, 1);
            }
            catch (MediaFormatException e)
            {
                return (new ClipFailure(ClipFailureKind.InvalidCodecPrivateData, null,
                    $"Fragment {number}: track {track.Number} ({track.CodecId}) has invalid codec private data: {e.Message}"), "");
            }
        }

        return (null, $"{video?.Number}:{video?.CodecId}|{audio?.Number}:{audio?.CodecId}");
    }
}
