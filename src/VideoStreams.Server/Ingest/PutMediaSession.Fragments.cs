using System.Diagnostics;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Live;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Ingest;

/// <summary>Per-fragment checks (KVS's limits) and committing a cluster to the store and the live hub.</summary>
internal sealed partial class PutMediaSession
{
    private LiveSession? _session;
    private bool _fragmentOpen;
    private bool _rejected;
    private long _clusterOffset;
    private long _clusterTicks;
    private long _serverMs;
    private long _firstFrameTicks;
    private long _lastFrameTicks = long.MinValue;
    private long _lastInterval;
    private long _previousLatestTicks = long.MinValue; // the previous accepted fragment's cluster timecode
    private bool _startsWithKeyframe;
    private bool _anyFrame;
    private readonly HashSet<ulong> _tracksWithFrames = [];
    private List<KeyValuePair<string, string>>? _tags;
    private KeyValuePair<string, string> _sessionHeader;
    private AckErrorId? _tagsError;
    private Task _persistChain = Task.CompletedTask; // the newest fragment's PERSISTED ack (see PersistedAsync)

    private LiveSession Session => _session!;

    private double MsPerTick => _mkv.Info.TimestampScale / 1_000_000.0;

    private long TicksToMs(long ticks) => (long)Math.Round(ticks * MsPerTick);

    private string? OnEvent(in MatroskaEvent ev)
    {
        switch (ev.Kind)
        {
            case MatroskaEventKind.SegmentStart when _session!.Tracks.Count > 0:
                // KVS takes one Segment per PutMedia.
                acks.Error(null, null, AckErrorId.InvalidMkvData);
                services.Metrics.Ack(stream.Name, "ERROR", AckErrorId.InvalidMkvData);
                return "more than one Segment";
            case MatroskaEventKind.Tracks:
                if (_mkv.Tracks.Count > _options.MaxTracks)
                {
                    acks.Error(null, null, AckErrorId.MoreThanAllowedTracksFound);
                    services.Metrics.Ack(stream.Name, "ERROR", AckErrorId.MoreThanAllowedTracksFound);
                    return "too many tracks";
                }

                _session = new LiveSession(_session!.SessionId, _mkv.Info, _mkv.Tracks);
                _sessionHeader = new(Playback.SessionHeader.TagName, Playback.SessionHeader.Encode(_mkv.Info, _mkv.Tracks));
                services.Hub.Publish(stream.Id, new LiveEvent(LiveEventKind.SessionStarted, _session));
                return null;
            case MatroskaEventKind.Tags when !_fragmentOpen:
                ReadTags();
                return null;
            case MatroskaEventKind.ClusterStart:
                BeginFragment();
                return null;
            case MatroskaEventKind.Frame:
                OnFrame(ev.Frame);
                return null;
            case MatroskaEventKind.ClusterEnd:
                return EndFragment(ev.Offset);
            default:
                return null;
        }
    }

    private void ReadTags()
    {
        _tags = [];
        _tagsError = null;
        foreach (var tag in _mkv.LastTags)
        {
            foreach (var simple in tag.SimpleTags)
            {
                // KVS's own tags (AWS_…) are not fragment metadata; a producer may not set them.
                if (simple.Name.StartsWith("AWS", StringComparison.Ordinal)
                    || simple.Name.Length > 128 || (simple.Value?.Length ?? 0) > 256)
                {
                    _tagsError = AckErrorId.FragmentMetadataLimitReached;
                }

                _tags.Add(new(simple.Name, simple.Value ?? ""));
            }
        }

        if (_tags.Count > 10)
        {
            _tagsError = AckErrorId.FragmentMetadataLimitReached;
        }
    }

    private void BeginFragment()
    {
        _fragmentOpen = true;
        _rejected = false;
        _clusterOffset = _mkv.ClusterOffset;
        _pending.DropBefore(_clusterOffset);
        _clusterTicks = _mkv.ClusterTimestamp;
        _serverMs = services.Time.GetUtcNow().ToUnixTimeMilliseconds();
        _anyFrame = false;
        _lastInterval = 0;
        _tracksWithFrames.Clear();
        acks.Buffering(_clusterTicks);
        services.Metrics.Ack(stream.Name, "BUFFERING");
        services.Hub.Publish(stream.Id, new LiveEvent(LiveEventKind.FragmentStarted, Session,
            Fragment: new LiveFragment(-1, ProducerMs(_clusterTicks), _serverMs, 0, default, _tags)));
        // KVS: a fragment must start after the previous one. Frames are not compared one by one: with B-frames and
        // interleaved audio a cluster's earliest frame may precede the previous cluster's latest, and KVS accepts that.
        if (_clusterTicks <= _previousLatestTicks)
        {
            Reject(AckErrorId.FragmentTimecodeLesserThanPrevious, $"cluster timecode {_clusterTicks} is not after the previous fragment's {_previousLatestTicks}");
        }

        if (_tagsError is { } error)
        {
            Reject(error, "fragment metadata over KVS's limits");
        }
    }

    private void OnFrame(in MatroskaFrame frame)
    {
        if (!_fragmentOpen || _rejected)
        {
            return;
        }

        var track = frame.TrackNumber;
        if (!_mkv.Tracks.Any(t => t.Number == track))
        {
            Reject(AckErrorId.TrackNumberMismatch, $"block for track {frame.TrackNumber}, which Tracks does not declare");
            return;
        }

        if (TicksToMs(frame.Timestamp - _clusterTicks) > _options.MaxFragmentDurationMs)
        {
            Reject(AckErrorId.MaxFragmentDurationReached, $"fragment longer than {_options.MaxFragmentDurationMs} ms");
            return;
        }

        if (!_anyFrame)
        {
            _anyFrame = true;
            _startsWithKeyframe = frame.IsKeyframe;
            _firstFrameTicks = frame.Timestamp;
            _lastFrameTicks = frame.Timestamp;
        }
        else
        {
            if (frame.Timestamp > _lastFrameTicks)
            {
                _lastInterval = frame.Timestamp - _lastFrameTicks;
                _lastFrameTicks = frame.Timestamp;
            }

            _firstFrameTicks = Math.Min(_firstFrameTicks, frame.Timestamp);
        }

        _tracksWithFrames.Add(frame.TrackNumber);
        // Copied into the hub's frame arena only when someone takes frames (no array per frame).
        services.Hub.PublishFrame(stream.Id, Session, frame, _clusterTicks);
    }

    private void CheckSize()
    {
        if (_fragmentOpen && !_rejected && _pending.End - _clusterOffset > _options.MaxFragmentBytes)
        {
            Reject(AckErrorId.MaxFragmentSizeReached, $"fragment larger than {_options.MaxFragmentBytes} bytes");
        }
    }

    /// <summary>Acks the open fragment ERROR; its remaining bytes are skipped until the cluster ends.</summary>
    private void Reject(AckErrorId error, string detail)
    {
        if (!_fragmentOpen || _rejected)
        {
            return;
        }

        _rejected = true;
        _pending.Skip(0);
        acks.Error(_clusterTicks, null, error);
        services.Metrics.Ack(stream.Name, "ERROR", error);
        services.Hub.Publish(stream.Id, new LiveEvent(LiveEventKind.FragmentRejected, Session));
        IngestLog.FragmentRejected(services.Logger, requestId, _clusterTicks, error, detail);
    }

    private long ProducerMs(long clusterTicks) => relative ? producerStartMs + TicksToMs(clusterTicks) : TicksToMs(clusterTicks);

    private string? EndFragment(long end)
    {
        if (!_fragmentOpen)
        {
            return null;
        }

        CheckSize();
        if (!_rejected && _mkv.Tracks.FirstOrDefault(t => !_tracksWithFrames.Contains(t.Number)) is { } silent)
        {
            Reject(AckErrorId.FramesMissingForTrack, $"track {silent.Number} has no frames in the fragment");
        }

        // Metadata Tags apply to the one cluster after them (producers repeat persistent ones before every cluster).
        var metadata = _tags;
        _fragmentOpen = false;
        _tags = null;
        _tagsError = null;
        if (_rejected)
        {
            _pending.DropBefore(end);
            return null;
        }

        var media = _pending.Copy(_clusterOffset, end);
        _pending.DropBefore(end);
        _previousLatestTicks = _clusterTicks;
        var durationMs = (int)Math.Max(0, TicksToMs(_lastFrameTicks - _clusterTicks + _lastInterval));
        var flags = (_startsWithKeyframe ? FragmentFlags.StartsWithKeyframe : FragmentFlags.None)
            | (_mkv.Tracks.Any(t => t.Type == MatroskaTrackType.Video && _tracksWithFrames.Contains(t.Number)) ? FragmentFlags.HasVideo : FragmentFlags.None)
            | (_mkv.Tracks.Any(t => t.Type == MatroskaTrackType.Audio && _tracksWithFrames.Contains(t.Number)) ? FragmentFlags.HasAudio : FragmentFlags.None);
        // The stream's Info and Tracks go with every fragment (a reserved tag producers cannot send), so that GetMedia
        // can write a playable document for any fragment (see Playback/SessionHeader).
        // Encoded once per session, when Tracks arrives (it is the same for every fragment of the session).
        if (_sessionHeader.Key is null)
        {
            _sessionHeader = new(Playback.SessionHeader.TagName, Playback.SessionHeader.Encode(_mkv.Info, _mkv.Tracks));
        }

        List<KeyValuePair<string, string>> tags = [.. metadata ?? [], _sessionHeader];
        return Commit(new NewFragment(ProducerMs(_clusterTicks), _serverMs, durationMs, flags, media, tags));
    }

    private string? Commit(NewFragment fragment)
    {
        var timecode = _clusterTicks;
        _fragments++;
        if (stream.DataRetentionInHours == 0)
        {
            var number = services.Hub.NextVolatileNumber();
            Received(timecode, number, fragment);
            return null;
        }

        if (services.Dedup.FindPersisted(stream.Id, fragment) is { } existing)
        {
            IngestLog.Duplicate(services.Logger, requestId, fragment.ProducerTimestampMs, existing.Number);
            Received(timecode, existing.Number, fragment);
            if (_persistChain.IsCompleted)
            {
                acks.Persisted(timecode, existing.Number);
                services.Metrics.Ack(stream.Name, "PERSISTED");
            }
            else
            {
                _persistChain = DuplicatePersistedAsync(_persistChain, timecode, existing.Number);
                _inFlight.Enqueue(_persistChain);
            }

            return null;
        }

        var started = Stopwatch.GetTimestamp();
        var appended = services.Store.Append(stream.Id, fragment);
        if (!appended.IsSuccess)
        {
            IngestLog.StoreFailed(services.Logger, requestId, appended.Message ?? "store error");
            var error = appended.Error switch
            {
                StorageError.ResourceNotFound => AckErrorId.StreamNotActive,
                StorageError.NoDataRetention => AckErrorId.StreamNotActive,
                StorageError.InvalidArgument => AckErrorId.MaxFragmentSizeReached,
                StorageError.KmsKeyUnavailable => AckErrorId.KmsKeyUnavailable,
                _ => AckErrorId.ArchivalError,
            };
            acks.Error(timecode, null, error);
            services.Metrics.Ack(stream.Name, "ERROR", error);
            services.Hub.Publish(stream.Id, new LiveEvent(LiveEventKind.FragmentRejected, Session));
            return error == AckErrorId.StreamNotActive ? "stream not active" : null;
        }

        var entry = appended.Value!.Entry;
        Received(timecode, entry.Number, fragment);
        services.Dedup.Remember(stream.Id, fragment);
        _persistChain = PersistedAsync(appended.Value.Persisted, _persistChain, timecode, entry.Number, started, Session);
        _inFlight.Enqueue(_persistChain);
        return null;
    }

    private void Received(long timecode, long number, in NewFragment fragment)
    {
        acks.Received(timecode, number);
        services.Metrics.Ack(stream.Name, "RECEIVED");
        services.Hub.Publish(stream.Id, new LiveEvent(LiveEventKind.FragmentReceived, Session, Fragment: new LiveFragment(
            number, fragment.ProducerTimestampMs, fragment.ServerTimestampMs, fragment.DurationMs, fragment.Media, fragment.Tags)));
    }

    /// <summary>
    /// Acks PERSISTED (or ERROR) once the store commits the fragment and every earlier fragment has been acked: the
    /// store's group commit completes a batch's fragments together and their continuations would race, but producers
    /// and live readers expect PERSISTED in fragment order.
    /// </summary>
    private async Task PersistedAsync(
        Task<StorageResult<FragmentEntry>> persisted, Task previous, long timecode, long number, long started, LiveSession session)
    {
        StorageResult<FragmentEntry> result;
        try
        {
            result = await persisted.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A faulted commit must not break the chain: the fragments after it still get their acks.
            result = StorageResult<FragmentEntry>.Fail(StorageError.IOError, e.Message);
        }

        await previous.ConfigureAwait(false);
        if (result.IsSuccess)
        {
            services.Metrics.PersistLatency(Stopwatch.GetElapsedTime(started));
            acks.Persisted(timecode, number);
            services.Metrics.Ack(stream.Name, "PERSISTED");
            var entry = result.Value;
            services.Hub.Publish(stream.Id, new LiveEvent(LiveEventKind.FragmentPersisted, session, Fragment: new LiveFragment(
                number, entry.ProducerTimestampMs, entry.ServerTimestampMs, entry.DurationMs, default, null, entry)));
        }
        else
        {
            IngestLog.StoreFailed(services.Logger, requestId, result.Message ?? result.Error.ToString());
            acks.Error(timecode, number, AckErrorId.ArchivalError);
            services.Metrics.Ack(stream.Name, "ERROR", AckErrorId.ArchivalError);
            // Live readers saw FragmentReceived: tell them this fragment will never be readable from the store.
            services.Hub.Publish(stream.Id, new LiveEvent(LiveEventKind.FragmentRejected, session, Fragment: new LiveFragment(
                number, ProducerMs(timecode), 0, 0, default)));
        }
    }

    /// <summary>A resent fragment's PERSISTED, after the acks of the fragments before it.</summary>
    private async Task DuplicatePersistedAsync(Task previous, long timecode, long number)
    {
        await previous.ConfigureAwait(false);
        acks.Persisted(timecode, number);
        services.Metrics.Ack(stream.Name, "PERSISTED");
    }
}
